"""An Ablage without articles says so in every Wissen command and in the anruf dialogue, instead of
"kein passender Artikel" (which reads as "this cannot be answered directly") – through the CLI."""

from __future__ import annotations

import io

import pytest

from buero_ticket.ablage import Ablage


@pytest.mark.parametrize("ordner", ["leer", "fehlt", "nur Entwurf"])
def test_no_article_at_all_is_named_as_such(run, ablage: Ablage, monkeypatch: pytest.MonkeyPatch, ordner: str) -> None:  # type: ignore[no-untyped-def]
    if ordner == "fehlt":
        ablage.wissen_dir.rmdir()
    elif ordner == "nur Entwurf":
        (ablage.wissen_dir / "Entwürfe").mkdir()
        (ablage.wissen_dir / "Entwürfe" / "Hund.md").write_text("---\ntitel: Hund\n---\n## Kurzinfo\nHund\n", "utf-8")
    root = str(ablage.root)
    leer = f"Im Ordner {ablage.wissen_dir} liegt noch kein Wissensartikel (Entwürfe zählen nicht)."
    for args in (("vorschlagen", "--text", "Hund"), ("suche", "Hund")) + (
        (("pruefen",),) if ordner != "nur Entwurf" else ()
    ):
        res = run("--ablage", root, "wissen", *args)
        assert res.code == 0, res.err
        assert leer in res.out, (
            args,
            res.out,
        )  # was "kein passender Artikel" / "anderes Wort versuchen" / "0 Artikel geprüft"
        assert "'buero-ticket wissen neu --aus AKTENZEICHEN'" in res.out
        assert "kein passender Artikel" not in res.out
    monkeypatch.setattr("sys.stdin", io.StringIO("Erika\n\nHund abmelden\nr\n"))
    res = run("--ablage", root, "anruf")
    assert res.code == 0, res.err
    assert leer in res.out and "vermutlich nicht direkt zu beantworten" not in res.out
