"""Writes for changing and archiving a customer, and for sending its licences back to review."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from store.connection import Database
from store.customers import COLLECTION, DuplicateCustomer


async def update_customer(db: Database, oid: ObjectId, changes: dict[str, Any]) -> dict[str, Any] | None:
    """Set ``changes``; raises ``DuplicateCustomer`` when another customer holds the credit code."""
    try:
        return await db[COLLECTION].find_one_and_update(
            {"_id": oid}, {"$set": changes}, return_document=ReturnDocument.AFTER
        )
    except DuplicateKeyError as exc:
        raise DuplicateCustomer("uscc") from exc


async def certificates_to_review(db: Database, customer_id: ObjectId, check: dict[str, str]) -> list[ObjectId]:
    """Certificates in force go back to review with their source documents; returns the documents."""
    certificates = [doc async for doc in db["certificates"].find({"customer_id": customer_id, "status": "verified"})]
    if not certificates:
        return []
    await db["certificates"].update_many(
        {"_id": {"$in": [c["_id"] for c in certificates]}}, {"$set": {"status": "needs_review"}}
    )
    documents = [c["source_document_id"] for c in certificates if c.get("source_document_id")]
    if documents:
        await db["documents"].update_many(
            {"_id": {"$in": documents}}, {"$set": {"status": "needs_review"}, "$push": {"checks": check}}
        )
    return documents
