"""The import-linter contracts in pyproject.toml hold, and they catch a back-import.

The contracts are the README's layout table made executable: each folder imports only
from the floors beneath it, and the pure packages import no database, broker or web code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _packages() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(data["tool"]["importlinter"]["root_packages"])


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _copy_tree(target: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    for package in _packages():
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__", "static"))


@pytest.fixture(scope="module")
def lint_imports() -> Path:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"lint-imports not installed beside {sys.executable}: install the dev extras")
    return LINT_IMPORTS


def test_the_tree_keeps_every_contract(lint_imports: Path) -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_store_module_importing_a_service_breaks_the_floors(lint_imports: Path, tmp_path: Path) -> None:
    _copy_tree(tmp_path)
    (tmp_path / "store" / "backdoor.py").write_text("from services import customers\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "Floors import only downwards BROKEN" in result.stdout
    assert "store.backdoor -> services.customers" in result.stdout


def test_scoring_importing_motor_breaks_purity(lint_imports: Path, tmp_path: Path) -> None:
    _copy_tree(tmp_path)
    (tmp_path / "scoring" / "backdoor.py").write_text("import motor.motor_asyncio\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "stay pure: no database, broker, web or network BROKEN" in result.stdout
    assert "scoring.backdoor -> motor" in result.stdout
