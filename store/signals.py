"""Outside risk signals: lawsuits, negative news, penalties and external ratings per customer."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from store.connection import Database

SIGNALS = "risk_signals"


async def insert_signal(db: Database, document: dict[str, Any]) -> dict[str, Any] | None:
    """Store a signal; None when one with the same ``key`` (a pulled rating) is stored already."""
    try:
        result = await db[SIGNALS].insert_one(document)
    except DuplicateKeyError:
        return None
    return {**document, "_id": result.inserted_id}


async def signals_of(db: Database, customer_id: ObjectId) -> list[dict[str, Any]]:
    """The customer's signals, newest first."""
    cursor = db[SIGNALS].find({"customer_id": customer_id}).sort([("occurred_on", -1), ("recorded_at", -1)])
    return [doc async for doc in cursor]
