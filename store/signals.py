"""Outside risk signals: lawsuits, negative news, penalties and external ratings per customer."""

from __future__ import annotations

from collections.abc import Sequence
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


async def signals_of_many(db: Database, customer_ids: Sequence[ObjectId]) -> dict[ObjectId, list[dict[str, Any]]]:
    """Each customer's signals, newest first (``signals_of`` for many in one read)."""
    found: dict[ObjectId, list[dict[str, Any]]] = {oid: [] for oid in customer_ids}
    query = {"customer_id": {"$in": list(customer_ids)}}
    async for doc in db[SIGNALS].find(query).sort([("occurred_on", -1), ("recorded_at", -1)]):
        found[doc["customer_id"]].append(doc)
    return found
