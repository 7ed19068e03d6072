"""The task outbox: messages for the workers, kept until the broker has taken them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from store.connection import Database

OUTBOX = "outbox"


async def add_message(db: Database, entry_id: ObjectId, actor_name: str, args: list[Any]) -> None:
    """Keep a message for ``actor_name`` until the broker takes it."""
    await db[OUTBOX].insert_one(
        {"_id": entry_id, "actor": actor_name, "args": args, "created_at": datetime.now(UTC), "sent": False}
    )


async def mark_sent(db: Database, entry_id: ObjectId) -> None:
    """Record that the broker took the message."""
    await db[OUTBOX].update_one({"_id": entry_id}, {"$set": {"sent": True, "sent_at": datetime.now(UTC)}})


async def pending(db: Database, limit: int) -> AsyncIterator[dict[str, Any]]:
    """Messages the broker has not taken yet, oldest first, at most ``limit``."""
    async for entry in db[OUTBOX].find({"sent": False}).sort("_id", 1).limit(limit):
        yield entry
