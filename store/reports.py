"""The risk report's aggregations, computed by the database over the customers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bson.decimal128 import Decimal128

from store.connection import Database

_ZERO = Decimal128("0")
_EXPOSURE = {"$add": [{"$ifNull": ["$open_receivables", _ZERO]}, {"$ifNull": ["$orders_reserved", _ZERO]}]}
_OVERDUE = {"$ifNull": ["$overdue_amount", _ZERO]}


def _group(key: Any) -> list[dict[str, Any]]:
    return [
        {
            "$group": {
                "_id": key,
                "customers": {"$sum": 1},
                "exposure": {"$sum": _EXPOSURE},
                "overdue": {"$sum": _OVERDUE},
                "average_score": {"$avg": "$risk.score"},
            }
        },
        {"$sort": {"_id": 1}},
    ]


async def _run(db: Database, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row async for row in db.customers.aggregate(pipeline)]


async def by_grade(db: Database) -> list[dict[str, Any]]:
    """One row per risk grade, in grade order: customers, exposure, overdue, average score (ungraded left out)."""
    return await _run(db, [{"$match": {"risk.grade": {"$type": "string"}}}, *_group("$risk.grade")])


async def by_field(db: Database, field: str, missing: str) -> list[dict[str, Any]]:
    """The same rows per value of ``field``, in value order; customers without one count under ``missing``."""
    return await _run(db, _group({"$ifNull": [f"${field}", missing]}))


async def totals(db: Database) -> dict[str, Decimal]:
    """Exposure and overdue amount over all customers (zero when there are none)."""
    rows = await _run(db, _group(None))
    if not rows:
        return {"exposure": Decimal("0.00"), "overdue": Decimal("0.00")}
    return {"exposure": rows[0]["exposure"], "overdue": rows[0]["overdue"]}
