"""A first run on a fresh clone: without ../shared the corpus tests skip with a reason, under CI=1 they fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _fresh_clone(target: Path) -> Path:
    """The repository's files in a folder that has no ``shared`` beside it."""
    repo = target / "buero_ticket_checkout"
    shutil.copytree(
        REPO,
        repo,
        ignore=shutil.ignore_patterns(".git", "__pycache__", ".mypy_cache", ".ruff_cache", "*.egg-info", "build"),
    )
    assert not (repo.parent / "shared").exists()
    return repo


def _pytest(repo: Path, *args: str, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(repo)
    if ci:
        env["CI"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_corpus_tests_skip_without_shared_and_fail_under_ci(tmp_path: Path) -> None:
    repo = _fresh_clone(tmp_path)
    chosen = [
        "tests/test_mail_parse.py::test_corpus_is_there",
        "tests/test_mail_parse.py::test_winmail_dat_from_corpus",
        "tests/test_intake_mail.py::test_whole_corpus_goes_through_the_importer",
        "tests/test_mail_parse.py::test_rfc2047_subject_and_sender",  # needs no corpus: runs
    ]
    local = _pytest(repo, *chosen, ci=False)
    assert local.returncode == 0, local.stdout + local.stderr
    assert "1 passed, 3 skipped" in local.stdout, local.stdout
    assert "Der Mail-Korpus fehlt" in local.stdout and "übersprungen" in local.stdout
    ci = _pytest(repo, *chosen[:2], ci=True)
    assert ci.returncode != 0
    assert "In der CI ist das ein Fehler" in ci.stdout, ci.stdout
