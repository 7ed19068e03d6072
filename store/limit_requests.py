"""Limit requests: a person's or the scorecard's ask for a (temporary) limit, and its decision."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from store.batch import WriteBatch
from store.connection import Database

LIMIT_REQUESTS = "limit_requests"
# The scorecard keeps at most one pending proposal per customer, updated in place.
SYSTEM_REQUESTER = "system:rescoring"


async def insert_request(db: Database, document: dict[str, Any]) -> None:
    """Store a new limit request."""
    await db[LIMIT_REQUESTS].insert_one(document)


async def get_request(db: Database, oid: ObjectId) -> dict[str, Any] | None:
    """The limit request with this id, or None."""
    return await db[LIMIT_REQUESTS].find_one({"_id": oid})


async def update_pending(db: Database, oid: ObjectId, changes: dict[str, Any]) -> dict[str, Any] | None:
    """Change a request only while it is PENDING (else None): one decision per request."""
    return await db[LIMIT_REQUESTS].find_one_and_update(
        _still_pending(oid), {"$set": changes}, return_document=ReturnDocument.AFTER
    )


def _still_pending(oid: ObjectId) -> dict[str, Any]:
    return {"_id": oid, "status": "PENDING"}


async def pending_system_requests_of_many(
    db: Database, customer_ids: Sequence[ObjectId]
) -> dict[ObjectId, dict[str, Any]]:
    """The scorecard's pending proposal of each customer that has one (there is one at most)."""
    query = {"customer_id": {"$in": list(customer_ids)}, "status": "PENDING", "requested_by": SYSTEM_REQUESTER}
    return {doc["customer_id"]: doc async for doc in db[LIMIT_REQUESTS].find(query)}


def stage_insert(batch: WriteBatch, document: dict[str, Any]) -> None:
    """``insert_request``, staged in ``batch``."""
    batch.insert(LIMIT_REQUESTS, document)


def stage_update_pending(batch: WriteBatch, oid: ObjectId, changes: dict[str, Any]) -> None:
    """``update_pending``, staged in ``batch`` (it still changes the request only while PENDING)."""
    batch.update(LIMIT_REQUESTS, _still_pending(oid), {"$set": changes})


async def requests_of(db: Database, customer_id: ObjectId, limit: int = 100) -> list[dict[str, Any]]:
    """The customer's limit requests, newest first, at most ``limit``."""
    cursor = db[LIMIT_REQUESTS].find({"customer_id": customer_id}).sort("_id", -1).limit(limit)
    return [doc async for doc in cursor]


async def requests_by_status(db: Database, status: str | None, limit: int = 200) -> list[dict[str, Any]]:
    """Limit requests in ``status`` (in any status without it), newest first, at most ``limit``."""
    query = {"status": status} if status is not None else {}
    return [doc async for doc in db[LIMIT_REQUESTS].find(query).sort("_id", -1).limit(limit)]


async def score_history(db: Database, customer_id: ObjectId, first: int) -> list[dict[str, Any]]:
    """The customer's ``first`` latest daily scores, newest day first."""
    cursor = db["score_history"].find({"customer_id": customer_id}).sort("day", -1).limit(first)
    return [doc async for doc in cursor]
