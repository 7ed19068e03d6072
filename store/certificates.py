"""Certificates: the accepted, current state of each licence a customer holds.

One certificate per customer and type (``key`` = ``<customer>:<type>``): a newer
verified document of the same type renews it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from store.connection import Database

CERTIFICATES = "certificates"


def certificate_key(customer_id: ObjectId, cert_type: str) -> str:
    """The natural key ``<customer>:<type>``: one certificate per customer and licence type."""
    return f"{customer_id}:{cert_type}"


async def upsert_certificate(
    db: Database, customer_id: ObjectId, cert_type: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Create the customer's certificate of this type, or renew it with ``fields``; returns it as stored."""
    return await db[CERTIFICATES].find_one_and_update(
        {"key": certificate_key(customer_id, cert_type)},
        {
            "$set": {**fields, "customer_id": customer_id, "type": cert_type},
            "$setOnInsert": {"key": certificate_key(customer_id, cert_type)},
        },
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )


async def certificates_of(db: Database, customer_id: ObjectId) -> list[dict[str, Any]]:
    """The customer's certificates, by type."""
    return [doc async for doc in db[CERTIFICATES].find({"customer_id": customer_id}).sort("type", 1)]


async def certificates_of_many(db: Database, customer_ids: Sequence[ObjectId]) -> dict[ObjectId, list[dict[str, Any]]]:
    """Each customer's certificates by type (``certificates_of`` for many in one read)."""
    found: dict[ObjectId, list[dict[str, Any]]] = {oid: [] for oid in customer_ids}
    async for doc in db[CERTIFICATES].find({"customer_id": {"$in": list(customer_ids)}}).sort("type", 1):
        found[doc["customer_id"]].append(doc)
    return found


async def get_certificate(db: Database, oid: ObjectId) -> dict[str, Any] | None:
    """The certificate with this id, or None."""
    return await db[CERTIFICATES].find_one({"_id": oid})


async def expiring_before(db: Database, before: datetime) -> list[dict[str, Any]]:
    """Certificates with an end date before ``before`` (already expired ones included)."""
    query = {"valid_until": {"$ne": None, "$lte": before}}
    return [doc async for doc in db[CERTIFICATES].find(query).sort("valid_until", 1)]


async def mark_expired(db: Database, oids: Sequence[ObjectId]) -> int:
    """Mark these certificates expired; returns how many were not expired already."""
    result = await db[CERTIFICATES].update_many(
        {"_id": {"$in": list(oids)}, "status": {"$ne": "expired"}}, {"$set": {"status": "expired"}}
    )
    return int(result.modified_count)


async def get_certificate_by_key(db: Database, key: str) -> dict[str, Any] | None:
    """The certificate stored under ``key`` (``certificate_key``: one per customer and type)."""
    return await db[CERTIFICATES].find_one({"key": key})
