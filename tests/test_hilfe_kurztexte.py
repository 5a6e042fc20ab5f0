"""The command lists of every help page (buero-ticket --hilfe, and each group's) never cut a description
inside an abbreviation: click ends a short help at the first word with a full stop, so "(Art. 18 DSGVO)"
became "Vorgang einschränken (Art." and "(z. B. …)" became "Zwei Personen als eine führen (z."."""

from __future__ import annotations

import re


def _listed(text: str) -> list[tuple[str, str]]:
    """(name, description) of each command line under "Befehle:"."""
    _, _, rest = text.partition("Befehle:\n")
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^  (\S+)\s+(.+)$", rest, re.MULTILINE)]


def test_no_short_help_is_cut_inside_a_parenthesis_or_abbreviation(run) -> None:  # type: ignore[no-untyped-def]
    top = run("--hilfe")
    assert top.code == 0
    pages = {"buero-ticket": top.out}
    for name, _ in _listed(top.out):
        sub = run(name, "--hilfe")
        if "Befehle:" in sub.out:
            pages[name] = sub.out
    assert len(pages) > 5  # the groups were found
    cut = [
        (page, name, text)
        for page, out in pages.items()
        for name, text in _listed(out)
        if (text.count("(") > text.count(")") and not text.endswith("..."))
        or re.search(r"\b(Art|z|Abs|Nr|vgl|ggf|bzw|ca|d|u)\.$", text)
    ]
    assert cut == []
