"""Reads behind the hand-on reports: overdue invoices, utilisation, and the ledger's history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from store.connection import Database

_CUSTOMER_FIELDS = {
    "code": 1,
    "legal_name": 1,
    "type": 1,
    "region": 1,
    "credit_limit": 1,
    "open_receivables": 1,
    "orders_reserved": 1,
    "risk.grade": 1,
    "risk.score": 1,
}


async def customers(db: Database, region: str | None = None) -> list[dict[str, Any]]:
    """Every customer (in ``region`` when given) with the fields the reports print."""
    query = {"region": region} if region is not None else {}
    return [doc async for doc in db.customers.find(query, projection=_CUSTOMER_FIELDS)]


async def open_invoices(db: Database, due_before: datetime | None = None) -> list[dict[str, Any]]:
    """Open invoices, those due before ``due_before`` only when given."""
    query: dict[str, Any] = {"open": True}
    if due_before is not None:
        query["due_on"] = {"$lt": due_before}
    return [doc async for doc in db.invoices.find(query)]


async def invoices_open_after(db: Database, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Invoices issued by ``end`` that were still unsettled at ``start`` (the trend's window)."""
    query = {
        "issued_on": {"$lte": end},
        "$or": [{"settled_on": None}, {"settled_on": {"$gte": start}}],
    }
    return [doc async for doc in db.invoices.find(query)]


async def payments_between(db: Database, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Payments received from ``start`` to ``end`` with their allocations."""
    query = {"received_on": {"$gte": start, "$lte": end}}
    projection = {"customer_id": 1, "received_on": 1, "allocations": 1}
    return [doc async for doc in db.payments.find(query, projection=projection)]


def ids_of(rows: Sequence[dict[str, Any]]) -> list[Any]:
    """The ``_id`` of each row, in the rows' order."""
    return [row["_id"] for row in rows]
