"""Orders. ``ref_key`` = ``<customer>:<externalRef>`` is unique: one order per reference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from store.connection import Database
from store.paging import Page, SortKey, Window, read_page

ORDERS = "orders"


def ref_key(customer_id: ObjectId, external_ref: str) -> str:
    """The unique ``ref_key`` ``<customer>:<externalRef>``: one order per customer and reference."""
    return f"{customer_id}:{external_ref}"


async def insert_order(db: Database, document: dict[str, Any]) -> bool:
    """Insert the order; False when the customer already has an order with this reference."""
    try:
        await db[ORDERS].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


_DUPLICATE_KEY = 11000


async def insert_orders(db: Database, documents: list[dict[str, Any]]) -> set[int]:
    """Insert many orders at once; returns the positions refused because their ref exists."""
    if not documents:
        return set()
    try:
        await db[ORDERS].insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != _DUPLICATE_KEY for e in errors):
            raise
        return {int(e["index"]) for e in errors}
    return set()


async def find_by_refs(db: Database, customer_id: ObjectId, external_refs: list[str]) -> dict[str, dict[str, Any]]:
    """The customer's orders with these references, by reference."""
    keys = [ref_key(customer_id, ref) for ref in external_refs]
    return {doc["external_ref"]: doc async for doc in db[ORDERS].find({"ref_key": {"$in": keys}})}


async def get_order(db: Database, oid: ObjectId) -> dict[str, Any] | None:
    """The order with this id, or None."""
    return await db[ORDERS].find_one({"_id": oid})


async def find_by_ref(db: Database, customer_id: ObjectId, external_ref: str) -> dict[str, Any] | None:
    """The customer's order with this external reference, or None."""
    return await db[ORDERS].find_one({"ref_key": ref_key(customer_id, external_ref)})


async def update_order(
    db: Database, oid: ObjectId, expected_status: str, changes: dict[str, Any]
) -> dict[str, Any] | None:
    """Change an order only if it is still in ``expected_status`` (else None)."""
    return await db[ORDERS].find_one_and_update(
        {"_id": oid, "status": expected_status},
        {"$set": changes},
        return_document=ReturnDocument.AFTER,
    )


async def orders_of(db: Database, customer_id: ObjectId, limit: int = 200) -> list[dict[str, Any]]:
    """The customer's orders, newest first, at most ``limit``."""
    return [doc async for doc in db[ORDERS].find({"customer_id": customer_id}).sort("_id", -1).limit(limit)]


@dataclass(frozen=True, slots=True)
class OrderQuery:
    customer_id: ObjectId | None = None
    statuses: tuple[str, ...] | None = None
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None

    def to_filter(self) -> dict[str, Any]:
        """The filter for the criteria set; the window is ``submitted_from`` included, ``submitted_before`` not."""
        query: dict[str, Any] = {}
        if self.customer_id is not None:
            query["customer_id"] = self.customer_id
        if self.statuses is not None:
            query["status"] = {"$in": list(self.statuses)}
        window: dict[str, Any] = {}
        if self.submitted_from is not None:
            window["$gte"] = self.submitted_from
        if self.submitted_before is not None:
            window["$lt"] = self.submitted_before
        if window:
            query["submitted_at"] = window
        return query


async def page_orders(db: Database, query: OrderQuery, sort: SortKey, window: Window, default_size: int) -> Page:
    """One page of the orders ``query`` matches, in ``sort`` order."""
    return await read_page(db[ORDERS], query.to_filter(), sort, window, default_size)
