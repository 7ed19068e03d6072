"""The audit trail: append-only. This module only ever inserts and reads."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from api.store.connection import Database
from api.store.paging import Page, SortKey, Window, read_page

AUDIT = "audit"


async def entries_for(db: Database, customer_id: ObjectId, limit: int) -> list[dict[str, Any]]:
    cursor = db[AUDIT].find({"customer_id": customer_id}).sort("at", -1).limit(limit)
    return [doc async for doc in cursor]


async def page_entries(
    db: Database, customer_id: ObjectId | None, action: str | None, sort: SortKey, window: Window, default_size: int
) -> Page:
    """One page of the trail, for one customer and one action when given, in ``sort`` order."""
    query: dict[str, Any] = {}
    if customer_id is not None:
        query["customer_id"] = customer_id
    if action is not None:
        query["action"] = action
    return await read_page(db[AUDIT], query, sort, window, default_size)
