"""Packaging follows the tree: pyproject ships every code folder and the Dockerfile copies each.

No image can be built here, so the two files are compared with the source tree instead.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Folders with Python code that are not part of the shipped application.
NOT_SHIPPED = {"tests", "bench", "scripts", "docs"}


def _code_packages() -> set[str]:
    """Top-level folders of the repository that hold an ``__init__.py``."""
    return {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name not in NOT_SHIPPED
    }


def _pyproject_includes() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(data["tool"]["setuptools"]["packages"]["find"]["include"])


def _dockerfile_copies() -> set[str]:
    copies = re.findall(r"^COPY\s+(\S+)\s+(\S+)\s*$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    return {source for source, target in copies if source == target}


def test_every_code_package_is_in_pyproject_and_the_dockerfile() -> None:
    packages = _code_packages()
    includes = _pyproject_includes()
    assert {"api", "schema", "workers", "services", "store", "infra", "verification", "scoring"} <= packages
    missing_in_pyproject = {p for p in packages if not any(fnmatch.fnmatch(p, pattern) for pattern in includes)}
    assert missing_in_pyproject == set()
    assert packages - _dockerfile_copies() == set()


def test_pyproject_and_dockerfile_name_the_same_packages() -> None:
    shipped = {pattern.rstrip("*") for pattern in _pyproject_includes()}
    assert shipped == _dockerfile_copies()


def test_every_subpackage_is_a_regular_package() -> None:
    # setuptools' find_packages skips folders without __init__.py, so such code would be
    # missing from the installed image although the tests (run from the tree) pass.
    for package in _code_packages():
        for folder in (ROOT / package).rglob("*"):
            if folder.is_dir() and any(folder.glob("*.py")):
                assert (folder / "__init__.py").exists(), folder.relative_to(ROOT)
