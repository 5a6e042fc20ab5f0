"""The shipped templates (top-level ``vorlagen/``) must be installed as ``buero_ticket/vorlagen``.

pyproject.toml maps the folder with ``package-dir`` and therefore lists the packages
explicitly; this test fails when a new sub-package or template would be left out of
the wheel. It is skipped until pyproject.toml carries the mapping.
"""

from __future__ import annotations

import fnmatch
import tomllib
from typing import Any

import pytest

from .conftest import REPO


def _setuptools() -> dict[str, Any]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(data.get("tool", {}).get("setuptools", {}))


pytestmark = pytest.mark.skipif(
    _setuptools().get("package-dir", {}).get("buero_ticket.vorlagen") != "vorlagen",
    reason="pyproject.toml bildet vorlagen/ noch nicht als buero_ticket.vorlagen ab",
)


def test_every_subpackage_and_every_template_goes_into_the_wheel() -> None:
    config = _setuptools()
    packages = set(config["packages"])
    source = REPO / "buero_ticket"
    expected = {"buero_ticket", "buero_ticket.vorlagen"}
    expected |= {
        "buero_ticket." + p.parent.relative_to(source).as_posix().replace("/", ".")
        for p in source.glob("*/**/__init__.py")
    }
    assert expected <= packages, f"in pyproject.toml [tool.setuptools] packages fehlen: {sorted(expected - packages)}"
    patterns = config["package-data"]["buero_ticket.vorlagen"]
    templates = [p.name for p in (REPO / "vorlagen").iterdir() if p.suffix in (".j2", ".docx")]
    assert len(templates) >= 10
    missing = [name for name in templates if not any(fnmatch.fnmatch(name, pattern) for pattern in patterns)]
    assert not missing, f"package-data für buero_ticket.vorlagen erfasst nicht: {missing}"
