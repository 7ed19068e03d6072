"""Notification state: who gets e-mail per role, webhooks, and every delivery attempt.

A delivery's ``_id`` is its idempotency key (``<event or warning>:<channel>:<target>``):
planning the same event twice, from two notifier processes or after a crash, inserts
nothing new. A delivery is claimed by moving its ``next_attempt_at`` past the lease, so
a notifier that dies mid-send leaves it to be tried again when the lease runs out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from store.connection import Database

DELIVERIES = "deliveries"
WEBHOOKS = "webhooks"
RECIPIENTS = "role_recipients"
STATE = "notifier_state"

PENDING, RETRYING, DELIVERED, FAILED = "PENDING", "RETRYING", "DELIVERED", "FAILED"
OPEN = (PENDING, RETRYING)


async def set_role_recipients(db: Database, role: str, emails: list[str]) -> None:
    """Replace the addresses that receive the role's e-mail."""
    await db[RECIPIENTS].update_one({"_id": role}, {"$set": {"emails": emails}}, upsert=True)


async def role_recipients(db: Database) -> dict[str, list[str]]:
    """Every role's e-mail addresses, by role; a role never set is absent."""
    return {doc["_id"]: list(doc.get("emails", [])) async for doc in db[RECIPIENTS].find({})}


async def insert_webhook(db: Database, document: dict[str, Any]) -> dict[str, Any]:
    """Insert the webhook; returns it with its ``_id``."""
    result = await db[WEBHOOKS].insert_one(document)
    return {**document, "_id": result.inserted_id}


async def webhooks(db: Database, *, include_deleted: bool = False) -> list[dict[str, Any]]:
    """Webhooks in the order they were created; deleted ones only with ``include_deleted``."""
    query: dict[str, Any] = {} if include_deleted else {"deleted_at": None}
    return [doc async for doc in db[WEBHOOKS].find(query).sort("created_at", 1)]


async def get_webhook(db: Database, oid: ObjectId) -> dict[str, Any] | None:
    """The webhook with this id, deleted or not, or None."""
    return await db[WEBHOOKS].find_one({"_id": oid})


async def update_webhook(db: Database, oid: ObjectId, changes: dict[str, Any]) -> dict[str, Any] | None:
    """Set ``changes`` on the webhook; returns it as it is afterwards, or None when there is none."""
    return await db[WEBHOOKS].find_one_and_update({"_id": oid}, {"$set": changes}, return_document=ReturnDocument.AFTER)


async def count_webhook_failure(db: Database, oid: ObjectId) -> int:
    """One more failed attempt in a row; returns the run's length."""
    doc = await db[WEBHOOKS].find_one_and_update(
        {"_id": oid}, {"$inc": {"consecutive_failures": 1}}, return_document=ReturnDocument.AFTER
    )
    return int(doc["consecutive_failures"]) if doc else 0


async def insert_deliveries(db: Database, documents: list[dict[str, Any]]) -> list[str]:
    """Insert the planned deliveries, skipping those already planned; returns the ids of the new ones."""
    if not documents:
        return []
    try:
        await db[DELIVERIES].insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        refused = {error["index"] for error in exc.details.get("writeErrors", [])}
        return [doc["_id"] for i, doc in enumerate(documents) if i not in refused]
    except DuplicateKeyError:
        return []
    return [doc["_id"] for doc in documents]


async def claim_due(db: Database, now: datetime, lease: timedelta) -> dict[str, Any] | None:
    """Take one due delivery for sending (None when none is due)."""
    return await db[DELIVERIES].find_one_and_update(
        {"next_attempt_at": {"$lte": now}, "status": {"$in": list(OPEN)}},
        {"$set": {"next_attempt_at": now + lease}},
        sort=[("next_attempt_at", 1)],
        return_document=ReturnDocument.AFTER,
    )


async def finish_delivery(db: Database, delivery_id: str, changes: dict[str, Any]) -> None:
    """Record the outcome of an attempt (status, error, next attempt) given in ``changes``."""
    await db[DELIVERIES].update_one({"_id": delivery_id}, {"$set": changes})


async def fail_open_deliveries_of_webhook(db: Database, webhook_id: ObjectId, reason: str) -> None:
    """Give up the webhook's pending and retrying deliveries: FAILED with ``reason``, never tried again."""
    await db[DELIVERIES].update_many(
        {"webhook_id": webhook_id, "status": {"$in": list(OPEN)}},
        {"$set": {"status": FAILED, "last_error": reason, "next_attempt_at": None}},
    )


async def deliveries_of_warning(db: Database, warning_id: ObjectId) -> list[dict[str, Any]]:
    """The deliveries planned for a warning, oldest first."""
    return [doc async for doc in db[DELIVERIES].find({"warning_id": warning_id}).sort("created_at", 1)]


async def deliveries_of_event(db: Database, event_id: str) -> list[dict[str, Any]]:
    """The deliveries planned for an event (one per channel and target)."""
    return [doc async for doc in db[DELIVERIES].find({"event_id": event_id})]


async def cursor(db: Database) -> int | None:
    """The counter value of the last event planned for delivery, or None before the first planning."""
    doc = await db[STATE].find_one({"_id": "cursor"})
    return int(doc["seq"]) if doc else None


async def move_cursor(db: Database, old: int | None, new: int) -> None:
    """Advance the planning cursor; a concurrent notifier that moved it further wins."""
    if old is None:
        await db[STATE].update_one({"_id": "cursor"}, {"$max": {"seq": new}}, upsert=True)
    else:
        await db[STATE].update_one({"_id": "cursor", "seq": {"$lt": new}}, {"$set": {"seq": new}})


async def disable_webhook(db: Database, webhook_id: Any) -> dict[str, Any] | None:
    """Switch an enabled webhook off; returns it as it was, None if it was off (or gone) already."""
    return await db[WEBHOOKS].find_one_and_update(
        {"_id": webhook_id, "disabled": False},
        {"$set": {"disabled": True, "disabled_at": datetime.now(UTC)}},
    )
