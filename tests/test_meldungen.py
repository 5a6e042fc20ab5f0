"""Messages a clerk reads: German only, correct plurals, forgiving keywords, helpful suggestions."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path

import click
import pytest

from buero_ticket import toml_deutsch
from buero_ticket.ablage import Ablage
from buero_ticket.cli import klick_deutsch
from buero_ticket.errors import Exit
from buero_ticket.models import Status

from .test_intake_mail import make_mail

# Words that only English text contains (German shares "Option", "in", "Name" …).
ENGLISH = re.compile(
    r"\b(no|such|does|not|exist|exists|did|you|mean|invalid|missing|value|argument|expected|error|file|"
    r"directory|is|the|of|at|line|column|requires|got|unexpected|extra|try|for|help|usage|choose|from|"
    r"one|take|takes|unclosed|unterminated|cannot|found|character|statement|empty|command)\b",
    re.IGNORECASE,
)


def _english_words(text: str) -> list[str]:
    """English words outside quoted values and paths (what the clerk typed may be anything)."""
    text = re.sub(r"'[^']*'|„[^“]*“|\"[^\"]*\"|\S*[/\\]\S*|\{[^}]*\}|(?<!\w)--?[\w-]+", " ", text)
    return ENGLISH.findall(text)


# -- click's and tomllib's messages are translated at the source ------------------------------


def _click_message_ids() -> set[tuple[str, ...]]:
    """Every message id click passes to gettext/ngettext in the modules that reach a clerk."""
    found: set[tuple[str, ...]] = set()
    for name in klick_deutsch.CLICK_MODULES:
        path = Path(click.__file__).parent / (name.split(".", 1)[1] + ".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                ids = tuple(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
                if ids:
                    found.add(ids)
    return found


# Messages for programmers (a broken command definition), never shown for a clerk's input.
DEVELOPER_ONLY = {
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Name '{name}' defined twice",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Unknown color {colour!r}",
    "Unknown standard stream '{name}'",
    "d",  # a format letter in the progress bar
}


def test_every_click_message_has_a_german_text() -> None:
    ids = _click_message_ids()
    assert len(ids) > 40, "click's messages were not found; did click change its layout?"
    missing = [
        i
        for i in ids
        if (len(i) == 1 and i[0] not in klick_deutsch.CATALOGUE and i[0] not in DEVELOPER_ONLY)
        or (len(i) == 2 and i not in klick_deutsch.PLURALS)
    ]
    assert missing == []
    for german in [*klick_deutsch.CATALOGUE.values(), *(t for pair in klick_deutsch.PLURALS.values() for t in pair)]:
        assert _english_words(german) == [], german


def test_every_tomllib_message_has_a_german_text() -> None:
    source = Path(tomllib.__file__).parent.joinpath("_parser.py").read_text(encoding="utf-8")
    messages = re.findall(r'suffixed_err\(\s*src,\s*\w+,\s*(f?"(?:[^"\\]|\\.)*")', source)
    assert len(messages) > 20
    for literal in messages:
        text = ast.literal_eval(literal[1:]) if literal.startswith("f") else ast.literal_eval(literal)
        sample = re.sub(r"\{[^}]*\}", "'x'", text)
        german = toml_deutsch.german(f"{sample} (at line 3, column 7)")
        assert german.startswith("Zeile 3, Spalte 7: ")
        assert "Schreibfehler in der TOML" not in german, f"no translation for {text!r}"
        assert _english_words(german) == [], german


@pytest.mark.parametrize(
    "toml_text",
    [
        '[amt\nname = "x"\n',
        "[amt]\nname = Bürgerbüro\n",
        '[imap]\npasswort_datei = "C:\\Users\\dienst\\pw.txt"\n',
        '[amt]\nname = "x\n',
        '[amt]\nname = "x"\nname = "y"\n',
        '[amt]\nname "x"\n',
        '[amt]\nname = "x" kuerzel = "BB"\n',
        "[amt]\n[amt]\n",
    ],
)
def test_broken_config_is_reported_in_german(run, ablage: Ablage, toml_text: str) -> None:  # type: ignore[no-untyped-def]
    (ablage.root / "buero-ticket.toml").write_text(toml_text, encoding="utf-8")
    res = run("--ablage", str(ablage.root), "liste")
    assert res.code == Exit.KONFIG
    assert re.search(r"Zeile \d+, Spalte \d+: ", res.err), res.err
    assert _english_words(res.err) == [], res.err


USAGE_ERRORS = [
    ["gibtsnicht"],
    ["stauts", "2026-1", "erledigt"],
    ["liste", "--gibtsnicht"],
    ["liste", "--kanal", "telefon"],
    ["liste", "--alle=ja"],
    ["liste", "--status"],
    ["liste", "--status", "fertig"],
    ["zeige"],
    ["zeige", "2026-1", "2026-2"],
    ["neu", "--betreff", "x"],
    ["neu", "--kanal"],
    ["neu", "--kanal", "brieftaube", "--betreff", "x"],
    ["neu", "--kanal", "telefon", "--betreff", "x", "--dringlichkeit", "sofort"],
    ["status", "2026-1"],
    ["status", "2026-1", "fertig"],
    ["status", "2026-1", "erledigt", "--stand", "sieben"],
    ["zuweisen", "2026-1"],
    ["notiz", "2026-1"],
    ["mail", "einlesen"],
    ["mail", "einlesen", "gibtsnicht.eml"],
    ["mail", "einlesen", "."],
    ["mail", "abrufn"],
    ["init", "/etc/hostname"],
    ["brief", "2026-1"],
    ["antworten", "2026-1", "antwort", "--anlage"],
    ["vorlagen"],
    ["vorlagen", "pruefn"],
    ["zeige", "2026-00080"],
    ["zeige", "kein-aktenzeichen"],
    ["antworten", "2026-00001", "antwort", "--feld-datei", "text=gibtsnicht.txt"],
]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=[" ".join(a) for a in USAGE_ERRORS])
def test_usage_errors_and_missing_files_are_german(run, ablage: Ablage, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    _neu(run, ablage, "Erster Vorgang")
    res = run("--ablage", str(ablage.root), *args)
    assert res.code != 0
    assert _english_words(res.err) == [], res.err
    if "Fehler:" in res.err:
        assert "Was tun:" in res.err, res.err
    was_tun = [line for line in res.err.splitlines() if line.startswith("Was tun:")]
    assert not any("BEFEHL" in line for line in was_tun), res.err


def test_usage_hint_names_the_command_meant(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "mail", "einlesen", "gibtsnicht.eml")
    assert "Datei 'gibtsnicht.eml' gibt es nicht" in res.err
    assert "Was tun: 'buero-ticket mail einlesen --hilfe'" in res.err
    res = run("--ablage", str(ablage.root), "stauts")
    assert "Meinten Sie 'status'?" in res.err and "'buero-ticket --hilfe' zeigt alle Befehle" in res.err


# -- keywords ---------------------------------------------------------------------------------


def _neu(run, ablage: Ablage, betreff: str, *extra: str) -> dict:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", betreff, "--json", *extra)
    assert res.code == 0, res.err
    return json.loads(res.out)


def _meta(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "vorgang.json").read_text(encoding="utf-8"))


def test_keywords_accept_labels_case_and_umlauts(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    res = run("--ablage", root, "neu", "--kanal", "Telefon", "--betreff", "A", "--dringlichkeit", "Hoch", "--json")
    assert res.code == 0, res.err
    az = json.loads(res.out)["aktenzeichen"]
    res = run("--ablage", root, "neu", "--kanal", "Persönlich", "--betreff", "B", "--json")
    persoenlich = json.loads(res.out)
    res = run("--ablage", root, "neu", "--kanal", "E-Mail", "--betreff", "C", "--json")
    assert json.loads(res.out)["kanal"] == "email"

    assert run("--ablage", root, "status", az, "in", "Bearbeitung").code == 0
    folder = next(ablage.status_dir(Status.IN_BEARBEITUNG).iterdir())
    meta = _meta(folder)
    assert (meta["aktenzeichen"], meta["status"], meta["kanal"], meta["dringlichkeit"]) == (
        az,
        "in-bearbeitung",
        "telefon",
        "hoch",
    )
    assert run("--ablage", root, "status", az, "Erledigt").code == 0
    assert _meta(next(ablage.status_dir(Status.ERLEDIGT).iterdir()))["status"] == "erledigt"
    assert run("--ablage", root, "status", persoenlich["aktenzeichen"], "IN-BEARBEITUNG").code == 0
    listed = json.loads(run("--ablage", root, "liste", "--status", "In Bearbeitung", "--json").out)
    assert [v["aktenzeichen"] for v in listed] == [persoenlich["aktenzeichen"]]
    assert listed[0]["kanal"] == "persoenlich"

    found = run("--ablage", root, "suche", "A", "--kanal", "Telefon", "--status", "Erledigt", "--json")
    assert found.code == 0, found.err

    wrong = run("--ablage", root, "status", az, "Erldigt")
    assert wrong.code == Exit.BEDIENUNG and "Meinten Sie erledigt?" in wrong.err


# -- suggestions ------------------------------------------------------------------------------


def test_meinten_sie_suggests_swapped_digits(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    created = [_neu(run, ablage, f"Vorgang {i}")["aktenzeichen"] for i in range(1, 10)]
    assert created[7].startswith("2026-00008") or created[7][5:10] == "00008"
    year = created[7][:4]
    res = run("--ablage", str(ablage.root), "zeige", f"{year}-00080")
    assert res.code == Exit.NICHT_GEFUNDEN
    suggested = res.err.split("Meinten Sie:", 1)[1].split("?", 1)[0]
    assert suggested.strip().startswith(created[7]), res.err


# -- plurals and doubled phrases --------------------------------------------------------------


def test_singular_and_plural(run, ablage: Ablage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    _neu(run, ablage, "Einzeln")
    assert "\n1 Vorgang offen" in run("--ablage", root, "liste").out
    assert "Ablage in Ordnung: 1 Vorgang geprüft" in run("--ablage", root, "pruefen").out

    eml = tmp_path / "Anfrage.eml"
    eml.write_bytes(make_mail())
    first = run("--ablage", root, "mail", "einlesen", str(eml))
    assert "1 neuer Vorgang, 0 Antworten zugeordnet, 0 automatische Mails" in first.out, first.out
    again = run("--ablage", root, "mail", "einlesen", str(eml))
    line = again.out.splitlines()[0]
    assert line.count("bereits importiert") == 1, line
    assert "0 neue Vorgänge" in again.out and "1 bereits importiert" in again.out

    (ablage.status_dir(Status.EINGANG) / "Fremder Ordner").mkdir()
    res = run("--ablage", root, "pruefen")
    assert "\n1 Problem in 2 Vorgängen." in res.out, res.out


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        found.append(((*prefix, name), command))
        if isinstance(command, click.Group):
            found += _command_paths(command, (*prefix, name))
    return found


def test_every_command_answers_a_usage_error_in_german(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    """Every command of the CLI, also those added later: an unknown option, and missing arguments."""
    from buero_ticket.cli import cli

    assert isinstance(cli, click.Group)
    paths = _command_paths(cli)
    assert len(paths) > 20
    for path, command in paths:
        res = run("--ablage", str(ablage.root), *path, "--gibtsnicht")
        assert res.code == Exit.BEDIENUNG, (path, res.err)
        assert "Eine Option '--gibtsnicht' gibt es nicht" in res.err and "Was tun:" in res.err, (path, res.err)
        assert _english_words(res.err) == [], (path, res.err)
        if any(isinstance(p, click.Argument) and p.required for p in command.params):
            bare = run("--ablage", str(ablage.root), *path)
            assert bare.code == Exit.BEDIENUNG, (path, bare.err)
            assert _english_words(bare.err) == [], (path, bare.err)
