"""Only ``store/`` talks to MongoDB: no collection call anywhere above it.

The database itself (the embedded engine and its launcher) is not a caller and is left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ABOVE_THE_STORE = ("api", "schema", "workers", "services", "infra")
THE_DATABASE_ITSELF = {"infra/embedded_engine.py", "infra/embedded_wire.py", "infra/embedded_db.py"}
COLLECTION_METHODS = frozenset(
    {
        "find", "find_one", "find_one_and_update", "find_one_and_replace", "find_one_and_delete",
        "insert_one", "insert_many", "update_one", "update_many", "delete_one", "delete_many",
        "aggregate", "count_documents", "estimated_document_count", "replace_one", "bulk_write", "distinct",
    }
)  # fmt: skip


def _is_database(node: ast.expr) -> bool:
    """``db`` or ``<anything>.db``: the database handle by the name the code gives it."""
    return (isinstance(node, ast.Name) and node.id == "db") or (isinstance(node, ast.Attribute) and node.attr == "db")


def collection_calls(source: str) -> list[int]:
    """Lines of ``db.<collection>.<op>(...)`` and ``db[<name>].<op>(...)`` calls in ``source``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in COLLECTION_METHODS:
            continue
        target = node.func.value
        collection = target.value if isinstance(target, (ast.Attribute, ast.Subscript)) else None
        if collection is not None and _is_database(collection):
            lines.append(node.lineno)
    return lines


def test_the_checker_sees_each_shape_of_collection_call() -> None:
    planted = (
        "async def f(rt, db):\n"
        "    await rt.db.customers.find_one({})\n"
        "    await db.orders.update_one({}, {})\n"
        "    await db['audit'].insert_one({})\n"
        "    await store.get_customer(db, 1)\n"  # through the store: fine
        "    rows.find(1)\n"  # not a database
    )
    assert collection_calls(planted) == [2, 3, 4]


def test_no_collection_call_above_the_store() -> None:
    found = []
    for folder in ABOVE_THE_STORE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in THE_DATABASE_ITSELF:
                continue
            found += [f"{name}:{line}" for line in collection_calls(path.read_text(encoding="utf-8"))]
    assert found == [], "move these into a named function in store/: " + ", ".join(found)
