"""Invoices and payments. Their ``_id`` is the idempotency key ``<customer>:<number>``.

A string ``_id`` keeps inserts flat on the embedded engine (see infra/embedded_engine.py)
and makes "the same invoice twice" a duplicate key, not a second invoice.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from store.connection import Database

INVOICES = "invoices"
PAYMENTS = "payments"


def ledger_key(customer_id: ObjectId, number: str) -> str:
    """The ``_id`` of an invoice or payment, ``<customer>:<number or reference>``: its idempotency key."""
    return f"{customer_id}:{number}"


async def insert_invoice(db: Database, document: dict[str, Any]) -> bool:
    """Insert the invoice; False when one with the same key exists already."""
    try:
        await db[INVOICES].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


async def get_invoice(db: Database, customer_id: ObjectId, number: str) -> dict[str, Any] | None:
    """The customer's invoice with this number, or None."""
    return await db[INVOICES].find_one({"_id": ledger_key(customer_id, number)})


async def invoices_of(db: Database, customer_id: ObjectId, *, open_only: bool = False) -> list[dict[str, Any]]:
    """The customer's invoices (open ones only with ``open_only``), earliest due first."""
    query: dict[str, Any] = {"customer_id": customer_id}
    if open_only:
        query["open"] = True
    return [doc async for doc in db[INVOICES].find(query).sort("due_on", 1)]


async def open_invoices_of_many(db: Database, customer_ids: Sequence[ObjectId]) -> dict[ObjectId, list[dict[str, Any]]]:
    """Each customer's open invoices, earliest due first (``invoices_of(open_only=True)`` for many in one read)."""
    found: dict[ObjectId, list[dict[str, Any]]] = {oid: [] for oid in customer_ids}
    query = {"customer_id": {"$in": list(customer_ids)}, "open": True}
    async for doc in db[INVOICES].find(query).sort("due_on", 1):
        found[doc["customer_id"]].append(doc)
    return found


async def invoices_of_many(db: Database, customer_ids: Sequence[ObjectId]) -> dict[ObjectId, list[dict[str, Any]]]:
    """Each customer's invoices, by customer id, in no particular order (``invoices_of`` for many in one read)."""
    found: dict[ObjectId, list[dict[str, Any]]] = {oid: [] for oid in customer_ids}
    async for doc in db[INVOICES].find({"customer_id": {"$in": list(customer_ids)}}):
        found[doc["customer_id"]].append(doc)
    return found


async def book_invoice_payment(
    db: Database, customer_id: ObjectId, number: str, paid: Decimal, settled_on: Any | None
) -> None:
    """Set the invoice's paid total to ``paid``, closing it on ``settled_on`` when given.

    The amount is absolute, not added, so booking the same allocation twice is harmless.
    """
    changes: dict[str, Any] = {"paid": paid, "open": settled_on is None}
    if settled_on is not None:
        changes["settled_on"] = settled_on
    await db[INVOICES].update_one({"_id": ledger_key(customer_id, number)}, {"$set": changes})


async def insert_payment(db: Database, document: dict[str, Any]) -> bool:
    """Insert the payment; False when its key is taken (a retry, or the reference used already)."""
    try:
        await db[PAYMENTS].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


async def get_payment(db: Database, customer_id: ObjectId, reference: str) -> dict[str, Any] | None:
    """The customer's payment with this reference, or None."""
    return await db[PAYMENTS].find_one({"_id": ledger_key(customer_id, reference)})


async def mark_payment_applied(db: Database, payment_id: Any) -> None:
    """Mark the stored payment as applied to invoices (its retry then has nothing left to do)."""
    await db.payments.update_one({"_id": payment_id}, {"$set": {"applied": True}})
