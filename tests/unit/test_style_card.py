"""The style card (docs: /work/shared/style.md), checked on the code as it is:

- every public function in ``store/`` and ``services/`` says what it does (point 11);
- no test sleeps to wait for a worker, a server or a subscription: it waits for the state
  that shows it happened (``tests/support/waiting.py``), and the few sleeps that are the
  behaviour under test are listed here, each with a comment where it stands (section 3);
- no test patches a private name: a test goes through a public seam (point 12).

Each check reads the source with ``ast`` and lists every offender, with its file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTED = ("store", "services")

# Every ``sleep(...)`` call allowed in tests/, by file and call, with why. Anything else that
# sleeps is a wait for something to happen and must wait for its state instead.
ALLOWED_SLEEPS = {
    ("tests/support/waiting.py", "time.sleep(step)"): "the polling step of wait_until",
    ("tests/support/waiting.py", "asyncio.sleep(step)"): "the polling step of wait_until_async",
    ("tests/integration/test_event_hub.py", "asyncio.sleep(0.005)"): (
        "paces a burst of events so a client can drop out and resume in the middle of it"
    ),
}

PATCHERS = {"setattr", "delattr", "setitem", "delitem", "patch", "object", "dict", "multiple"}


def _python_files(*folders: str) -> Iterator[tuple[str, ast.Module, list[str]]]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            yield path.relative_to(ROOT).as_posix(), ast.parse(text, filename=str(path)), text.splitlines()


# -- docstrings --------------------------------------------------------------------


def _is_overload(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """An ``@overload`` stub: its implementation below carries the docstring."""
    return any(
        (isinstance(d, ast.Name) and d.id == "overload") or (isinstance(d, ast.Attribute) and d.attr == "overload")
        for d in node.decorator_list
    )


def undocumented(tree: ast.Module, path: str) -> list[str]:
    """``path:line name`` of each public function, and public method of a public class, without a docstring."""
    found = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if not node.name.startswith("_") and not _is_overload(node) and ast.get_docstring(node) is None:
                    found.append(f"{path}:{node.lineno} {prefix}{node.name}")
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return found


def test_every_public_function_in_store_and_services_has_a_docstring() -> None:
    missing = [line for path, tree, _ in _python_files(*DOCUMENTED) for line in undocumented(tree, path)]
    assert not missing, f"{len(missing)} public functions without a docstring:\n" + "\n".join(missing)


# -- sleeps in tests ---------------------------------------------------------------


def sleeps(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Line and source of every call to a function named ``sleep`` (``time.sleep``, ``asyncio.sleep``, ...)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name == "sleep":
                yield node.lineno, ast.unparse(node)


def _commented(lines: list[str], lineno: int) -> bool:
    """A comment on the call's line, or on the lines just above it."""
    if "#" in lines[lineno - 1]:
        return True
    above = lineno - 2
    return above >= 0 and lines[above].strip().startswith("#")


def test_tests_sleep_only_where_the_sleep_is_the_behaviour() -> None:
    offenders, seen = [], set()
    for path, tree, lines in _python_files("tests"):
        for lineno, call in sleeps(tree):
            key = (path, call)
            if key not in ALLOWED_SLEEPS:
                offenders.append(f"{path}:{lineno} {call}: wait for the state instead (tests/support/waiting.py)")
            elif not _commented(lines, lineno):
                offenders.append(f"{path}:{lineno} {call}: allowed, but say why in a comment where it stands")
            seen.add(key)
    stale = [f"{path} {call}" for path, call in ALLOWED_SLEEPS if (path, call) not in seen]
    assert not offenders, "sleeps in tests:\n" + "\n".join(offenders)
    assert not stale, "listed in ALLOWED_SLEEPS but gone (remove them from the list):\n" + "\n".join(stale)


# -- patching private names ----------------------------------------------------------


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_attribute_in(node: ast.expr) -> str | None:
    """The first private attribute in an expression such as ``module._cache.entries``, if any."""
    for part in ast.walk(node):
        if isinstance(part, ast.Attribute) and _private(part.attr):
            return part.attr
    return None


def _patch_call(node: ast.Call) -> bool:
    """``monkeypatch.setattr``/``delattr``/``setitem``/``delitem``, ``patch``, ``mock.patch``,
    ``patch.object``/``.dict``/``.multiple``, ``mocker.patch``, or the built-in ``setattr``/``delattr``."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in {"patch", "setattr", "delattr"}
    if not isinstance(func, ast.Attribute) or func.attr not in PATCHERS:
        return False
    if func.attr in {"object", "dict", "multiple"}:  # patch.object(...), mock.patch.dict(...)
        return isinstance(func.value, ast.Attribute | ast.Name) and (
            getattr(func.value, "attr", None) == "patch" or getattr(func.value, "id", None) == "patch"
        )
    return True


def private_patches(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Line and source of every patch whose target is a private name or sits behind one."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not _patch_call(node):
            continue
        targets = list(node.args[:2]) + [k.value for k in node.keywords if k.arg in {"target", "name"}]
        for target in targets:
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                if any(_private(part) for part in target.value.split(".")):
                    yield node.lineno, ast.unparse(node)
                    break
            elif _private_attribute_in(target) is not None:
                yield node.lineno, ast.unparse(node)
                break


def test_no_test_patches_a_private_name() -> None:
    offenders = [
        f"{path}:{lineno} {call}" for path, tree, _ in _python_files("tests") for lineno, call in private_patches(tree)
    ]
    assert not offenders, "tests patching private names (go through a public seam):\n" + "\n".join(offenders)


# -- the checks catch what they are for ----------------------------------------------


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ('monkeypatch.setattr(ledger, "_refresh_balances", failing)', True),
        ('monkeypatch.setattr("services.ledger._refresh_balances", failing)', True),
        ("monkeypatch.setattr(ledger._store, 'write', failing)", True),
        ('monkeypatch.delattr(ledger, "_cache")', True),
        ('monkeypatch.setitem(events._converted, "k", 1)', True),
        ('with patch("services.ledger._apply"): pass', True),
        ('with mock.patch.object(ledger, "_apply"): pass', True),
        ('mocker.patch("store.locks._database_lock")', True),
        ('setattr(ledger, "_refresh_balances", failing)', True),
        ('monkeypatch.setattr(customer_service, "create_customer", broken)', False),
        ('monkeypatch.setenv("MEDCREDIT_CORS_ORIGINS", "x")', False),
        ('monkeypatch.setattr(Thing, "__init__", init)', False),
        ("self._stack = open_runtime(settings)", False),
    ],
)
def test_the_patch_check_catches_private_targets(source: str, caught: bool) -> None:
    assert bool(list(private_patches(ast.parse(source)))) is caught


@pytest.mark.parametrize(
    ("source", "calls"),
    [
        ("import time\ntime.sleep(0.5)", ["time.sleep(0.5)"]),
        ("async def f():\n    await asyncio.sleep(0.2)", ["asyncio.sleep(0.2)"]),
        ("from time import sleep\nsleep(1)", ["sleep(1)"]),
        ('"""never sleeps."""\n# no sleep(1) here', []),
    ],
)
def test_the_sleep_check_finds_every_kind_of_sleep(source: str, calls: list[str]) -> None:
    assert [call for _, call in sleeps(ast.parse(source))] == calls


def test_the_docstring_check_skips_private_names_and_overload_stubs() -> None:
    source = '''
from typing import overload
def public(): pass
def _private(): pass
class Open:
    def method(self): pass
    def _helper(self): pass
class _Hidden:
    def method(self): pass
@overload
def f(x: int) -> int: ...
def f(x):
    """Documented."""
'''
    assert undocumented(ast.parse(source), "m.py") == ["m.py:3 public", "m.py:6 Open.method"]
