"""Shipments, and the shipped quantities and cancellation they record on their order.

``ship_key`` = ``<order>:<externalRef>`` is unique: one shipment per reference. An
order keeps ``shipped_qty`` (claimed per line, held shipments included) and
``ship_version``; a claim is one conditional update on that version, so two shipments
of the same order never ship more than it holds.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from store.connection import Database

SHIPMENTS = "shipments"
ORDERS = "orders"


def ship_key(order_id: ObjectId, external_ref: str) -> str:
    """The unique ``ship_key`` ``<order>:<externalRef>``: one shipment per order and reference."""
    return f"{order_id}:{external_ref}"


async def claim_quantities(
    db: Database, order_id: ObjectId, version: int, shipped_qty: list[int]
) -> dict[str, Any] | None:
    """Set the order's shipped quantities if it is still APPROVED and at ``version``."""
    return await db[ORDERS].find_one_and_update(
        {"_id": order_id, "status": "APPROVED", "ship_version": version if version else {"$in": [None, 0]}},
        {"$set": {"shipped_qty": shipped_qty, "ship_version": version + 1, "shipped_any": True}},
        return_document=ReturnDocument.AFTER,
    )


async def cancel_order(
    db: Database, order_id: ObjectId, expected_status: str, changes: dict[str, Any]
) -> dict[str, Any] | None:
    """Cancel an order still in ``expected_status``, not invoiced and with nothing shipped."""
    return await db[ORDERS].find_one_and_update(
        {
            "_id": order_id,
            "status": expected_status,
            "invoiced": {"$ne": True},
            "shipped_any": {"$ne": True},
        },
        {"$set": changes},
        return_document=ReturnDocument.AFTER,
    )


async def insert_shipment(db: Database, document: dict[str, Any]) -> bool:
    """Insert the shipment; False when the order already has a shipment with this reference."""
    try:
        await db[SHIPMENTS].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


async def find_by_ref(db: Database, order_id: ObjectId, external_ref: str) -> dict[str, Any] | None:
    """The order's shipment with this external reference, or None."""
    return await db[SHIPMENTS].find_one({"ship_key": ship_key(order_id, external_ref)})


async def get_shipment(db: Database, oid: ObjectId) -> dict[str, Any] | None:
    """The shipment with this id, or None."""
    return await db[SHIPMENTS].find_one({"_id": oid})


async def shipments_of_order(db: Database, order_id: ObjectId) -> list[dict[str, Any]]:
    """The order's shipments, in the order they were recorded."""
    return [doc async for doc in db[SHIPMENTS].find({"order_id": order_id}).sort("_id", 1)]


async def release_held(db: Database, oid: ObjectId, changes: dict[str, Any]) -> dict[str, Any] | None:
    """Release a shipment only if it is still HELD (else None)."""
    return await db[SHIPMENTS].find_one_and_update(
        {"_id": oid, "status": "HELD"}, {"$set": changes}, return_document=ReturnDocument.AFTER
    )
