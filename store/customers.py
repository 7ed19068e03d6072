"""Customer documents: the only place that reads or writes the ``customers`` collection."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from common.errors import MedcreditError
from scoring.ledger import DEFAULT_PAYMENT_TERM_DAYS
from store.connection import Database
from store.paging import Page, SortKey, Window, read_page

COLLECTION = "customers"


class DuplicateCustomer(MedcreditError):
    """Another customer already holds this ``field`` value."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    type: str | None = None
    region: str | None = None
    grade: str | None = None
    blocked: bool | None = None
    search: str | None = None

    def to_filter(self) -> dict[str, Any]:
        """The filter for the criteria set; ``search`` is literal text matched in name, code or USCC, in any case."""
        query: dict[str, Any] = {}
        if self.type is not None:
            query["type"] = self.type
        if self.region is not None:
            query["region"] = self.region
        if self.grade is not None:
            query["risk.grade"] = self.grade
        if self.blocked is not None:
            query["blocked"] = self.blocked
        if self.search:
            pattern = re.escape(self.search.strip())
            query["$or"] = [
                {"legal_name": {"$regex": pattern, "$options": "i"}},
                {"code": {"$regex": pattern, "$options": "i"}},
                {"uscc": {"$regex": pattern, "$options": "i"}},
            ]
        return query


async def insert_customer(db: Database, document: dict[str, Any]) -> dict[str, Any]:
    """Insert a new customer; raises ``DuplicateCustomer`` naming the clashing field."""
    try:
        result = await db[COLLECTION].insert_one(document)
    except DuplicateKeyError as exc:
        text = str(exc)
        raise DuplicateCustomer("uscc" if "uscc" in text else "code") from exc
    return {**document, "_id": result.inserted_id}


_ZERO = Decimal("0.00")


async def reserve_credit(db: Database, oid: ObjectId, amount: Decimal) -> bool:
    """Reserve ``amount`` of the customer's credit in one atomic conditional update.

    The reserved figure only moves when the customer is not blocked and open
    receivables + reserved + ``amount`` stay within the limit, evaluated by the
    database on the document as it is at that instant: several API processes may
    reserve at once and together never exceed the limit. Returns whether it moved.
    """
    exposure_after = {
        "$add": [
            {"$ifNull": ["$open_receivables", _ZERO]},
            {"$ifNull": ["$orders_reserved", _ZERO]},
            amount,
        ]
    }
    result = await db[COLLECTION].update_one(
        {
            "_id": oid,
            "blocked": {"$ne": True},
            "$expr": {"$lte": [exposure_after, {"$ifNull": ["$credit_limit", _ZERO]}]},
        },
        {"$inc": {"orders_reserved": amount}},
    )
    return result.modified_count == 1


async def change_reserved(db: Database, oid: ObjectId, delta: Decimal) -> None:
    """Move the reserved figure by ``delta`` unconditionally (a release, or a person's decision).

    The customer's group, if any, moves with it (``store.groups``).
    """
    before = await db[COLLECTION].find_one_and_update(
        {"_id": oid}, {"$inc": {"orders_reserved": delta}}, projection={"group_id": 1}
    )
    if before is not None and before.get("group_id") is not None:
        await db["customer_groups"].update_one({"_id": before["group_id"]}, {"$inc": {"orders_reserved": delta}})


async def get_customer(db: Database, oid: ObjectId) -> dict[str, Any] | None:
    """The customer with this id, or None."""
    return await db[COLLECTION].find_one({"_id": oid})


async def get_customers(db: Database, oids: list[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
    """The customers with these ids, by id; an id that matches none is left out."""
    cursor = db[COLLECTION].find({"_id": {"$in": oids}})
    return {doc["_id"]: doc async for doc in cursor}


async def page_customers(db: Database, query: CustomerQuery, sort: SortKey, window: Window, default_size: int) -> Page:
    """One page of the customers ``query`` matches, in ``sort`` order (see ``store.paging``)."""
    return await read_page(db[COLLECTION], query.to_filter(), sort, window, default_size)


def payment_term_days(customer: Mapping[str, Any]) -> int:
    """The customer document's agreed payment term, or the default term when none is stored."""
    return int(customer.get("payment_term_days", DEFAULT_PAYMENT_TERM_DAYS))


async def set_fields(db: Database, oid: ObjectId, changes: dict[str, Any]) -> None:
    """Set ``changes`` on the customer (the caller holds its credit lock where money is concerned)."""
    await db[COLLECTION].update_one({"_id": oid}, {"$set": changes})


async def set_fields_returning(db: Database, oid: ObjectId, changes: dict[str, Any]) -> dict[str, Any] | None:
    """Set ``changes`` and return the customer as it is afterwards; None if there is none."""
    return await db[COLLECTION].find_one_and_update(
        {"_id": oid}, {"$set": changes}, return_document=ReturnDocument.AFTER
    )


async def update_customer(db: Database, oid: ObjectId, update: dict[str, Any]) -> None:
    """Apply a MongoDB update document (``$set``, ``$addToSet``...) to the customer."""
    await db[COLLECTION].update_one({"_id": oid}, update)


async def get_customer_fields(db: Database, oid: ObjectId, fields: Sequence[str]) -> dict[str, Any] | None:
    """The customer with only ``fields`` (and ``_id``); None if there is none."""
    return await db[COLLECTION].find_one({"_id": oid}, projection=dict.fromkeys(fields, 1))


async def ids_by_code(db: Database, codes: Sequence[str]) -> dict[str, ObjectId]:
    """The ids of the customers with these codes, by code (unknown codes are left out)."""
    return {d["code"]: d["_id"] async for d in db[COLLECTION].find({"code": {"$in": list(codes)}}, {"code": 1})}


async def credit_codes(db: Database) -> list[dict[str, Any]]:
    """Every customer that has a credit code: ``_id`` and ``uscc`` only."""
    return [c async for c in db[COLLECTION].find({"uscc": {"$type": "string"}}, projection={"uscc": 1})]


async def count_customers(db: Database) -> int:
    """How many customers there are."""
    return await db[COLLECTION].count_documents({})


async def all_ids(db: Database) -> AsyncIterator[ObjectId]:
    """Every customer's id, in storage order (a sweep's work list)."""
    async for doc in db[COLLECTION].find({}, projection={"_id": 1}):
        yield doc["_id"]
