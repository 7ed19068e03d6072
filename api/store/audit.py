"""The audit trail: append-only. This module only ever inserts and reads."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from api.store.connection import Database

AUDIT = "audit"


async def entries_for(db: Database, customer_id: ObjectId, limit: int) -> list[dict[str, Any]]:
    cursor = db[AUDIT].find({"customer_id": customer_id}).sort("at", -1).limit(limit)
    return [doc async for doc in cursor]
