"""Credit notes (returns, price adjustments). ``_id`` is ``<customer>:<number>``, as for invoices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from store import dates
from store.connection import Database
from store.ledger import ledger_key

CREDIT_NOTES = "credit_notes"


async def insert_credit_note(db: Database, document: dict[str, Any]) -> bool:
    """Insert the credit note; False when the customer already has a note with this number."""
    try:
        await db[CREDIT_NOTES].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


async def get_credit_note(db: Database, customer_id: ObjectId, number: str) -> dict[str, Any] | None:
    """The customer's credit note with this number, or None."""
    return await db[CREDIT_NOTES].find_one({"_id": ledger_key(customer_id, number)})


async def mark_applied(db: Database, customer_id: ObjectId, number: str) -> None:
    """Record that the note's allocations and credit are all booked (a retry then only refreshes)."""
    await db[CREDIT_NOTES].update_one({"_id": ledger_key(customer_id, number)}, {"$set": {"applied": True}})


async def credit_notes_of_many(
    db: Database, customer_ids: Sequence[ObjectId], *, since: date
) -> dict[ObjectId, list[dict[str, Any]]]:
    """Each customer's credit notes issued on ``since`` or later, oldest first, in one read."""
    found: dict[ObjectId, list[dict[str, Any]]] = {oid: [] for oid in customer_ids}
    query = {"customer_id": {"$in": list(customer_ids)}, "issued_on": {"$gte": dates.to_bson(since)}}
    async for doc in db[CREDIT_NOTES].find(query).sort("issued_on", 1):
        found[doc["customer_id"]].append(doc)
    return found


async def credit_invoice(db: Database, customer_id: ObjectId, number: str, credited: Any) -> None:
    """Keep how much of an invoice was credited (its ``paid`` already includes it)."""
    await db["invoices"].update_one({"_id": ledger_key(customer_id, number)}, {"$set": {"credited": credited}})
