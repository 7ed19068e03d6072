"""Customer groups (related parties): the group document and its members' link to it.

A group keeps ``orders_reserved``: its members' approved, not yet invoiced orders. It
moves with every member's reservation (``store.customers.change_reserved`` and the
gate's ``reserve_group_credit``), so a reservation against the group limit is one
atomic conditional update, as for a single customer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from common.errors import MedcreditError
from store.connection import Database

GROUPS = "customer_groups"
CUSTOMERS = "customers"
_ZERO = Decimal("0.00")


class DuplicateGroup(MedcreditError):
    """Another group already has this code."""


async def insert_group(db: Database, document: dict[str, Any]) -> dict[str, Any]:
    """Insert the group document; returns it.

    Raises:
        DuplicateGroup: another group already has its code.
    """
    try:
        await db[GROUPS].insert_one(document)
    except DuplicateKeyError as exc:
        raise DuplicateGroup(document["code"]) from exc
    return document


async def get_group(db: Database, oid: ObjectId) -> dict[str, Any] | None:
    """The group with this id, or None."""
    return await db[GROUPS].find_one({"_id": oid})


async def all_groups(db: Database, limit: int = 500) -> list[dict[str, Any]]:
    """At most ``limit`` groups, by code."""
    return [doc async for doc in db[GROUPS].find({}).sort("code", 1).limit(limit)]


async def members_of(db: Database, group_id: ObjectId) -> list[dict[str, Any]]:
    """The customers linked to the group, in the order they were created."""
    return [doc async for doc in db[CUSTOMERS].find({"group_id": group_id}).sort("_id", 1)]


async def set_group_of(db: Database, customer_id: ObjectId, group_id: ObjectId | None) -> dict[str, Any] | None:
    """Link the customer to ``group_id`` (None: no group); returns the customer as it was before."""
    return await db[CUSTOMERS].find_one_and_update(
        {"_id": customer_id}, {"$set": {"group_id": group_id}}, return_document=ReturnDocument.BEFORE
    )


async def change_group_reserved(db: Database, group_id: ObjectId, delta: Decimal) -> None:
    """Add ``delta`` (negative to release) to the group's reserved, not yet invoiced orders."""
    await db[GROUPS].update_one({"_id": group_id}, {"$inc": {"orders_reserved": delta}})


async def reserve_group_credit(db: Database, group_id: ObjectId, amount: Decimal, receivables: Decimal) -> bool:
    """Reserve ``amount`` against the group limit in one atomic conditional update.

    ``receivables`` is the members' open receivables as just read; the orders reserved
    by all members are the group document's own figure, evaluated by the database at
    that instant, so members ordering at once never pass the limit together.
    """
    result = await db[GROUPS].update_one(
        {
            "_id": group_id,
            "$expr": {
                "$lte": [
                    {"$add": [{"$ifNull": ["$orders_reserved", _ZERO]}, amount, receivables]},
                    {"$ifNull": ["$credit_limit", _ZERO]},
                ]
            },
        },
        {"$inc": {"orders_reserved": amount}},
    )
    return result.modified_count == 1
