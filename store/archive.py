"""Reads for the qualification archive (the dossier): a customer's whole file at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from store.connection import Database

# A dossier prints at most this many uploads and decisions; a file larger than that is
# an anomaly to look at, not to print on hundreds of pages.
MAX_ROWS = 200


async def customer_by_code(db: Database, code: str) -> dict[str, Any] | None:
    """The customer with this code (its business key), or None."""
    return await db.customers.find_one({"code": code})


async def documents_of(db: Database, customer_id: Any) -> list[dict[str, Any]]:
    """The customer's uploads, oldest first."""
    cursor = db.documents.find({"customer_id": customer_id}).sort("uploaded_at", 1).limit(MAX_ROWS)
    return [doc async for doc in cursor]


async def decisions_of(db: Database, customer_id: Any, actions: Sequence[str]) -> list[dict[str, Any]]:
    """The customer's audit rows of the given actions, oldest first."""
    cursor = db.audit.find({"customer_id": customer_id, "action": {"$in": list(actions)}}).sort("at", 1).limit(MAX_ROWS)
    return [doc async for doc in cursor]
