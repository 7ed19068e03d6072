"""Warnings. An active warning holds ``active_key`` = ``<customer>:<kind>`` (unique), so
there is at most one active warning of a kind per customer; resolving removes the key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from store.batch import WriteBatch, changing
from store.connection import Database
from store.paging import Page, SortKey, Window, read_page

WARNINGS = "warnings"


def active_key(customer_id: ObjectId, kind: str) -> str:
    """The ``active_key`` an active warning holds: unique, so one active warning per customer and kind."""
    return f"{customer_id}:{kind}"


async def active_warnings_of(db: Database, customer_id: ObjectId) -> list[dict[str, Any]]:
    """The customer's unresolved warnings."""
    query = {"customer_id": customer_id, "resolved_at": None}
    return [doc async for doc in db[WARNINGS].find(query)]


async def active_warnings_of_many(
    db: Database, customer_ids: Sequence[ObjectId]
) -> dict[ObjectId, list[dict[str, Any]]]:
    """Each customer's unresolved warnings (``active_warnings_of`` for many in one read)."""
    found: dict[ObjectId, list[dict[str, Any]]] = {oid: [] for oid in customer_ids}
    async for doc in db[WARNINGS].find({"customer_id": {"$in": list(customer_ids)}, "resolved_at": None}):
        found[doc["customer_id"]].append(doc)
    return found


async def update_warning(
    db: Database, oid: ObjectId, changes: dict[str, Any], unset: tuple[str, ...] = ()
) -> dict[str, Any] | None:
    """Set ``changes`` and remove the ``unset`` fields; returns the warning afterwards, or None when there is none."""
    return await db[WARNINGS].find_one_and_update(
        {"_id": oid}, changing(changes, unset=unset), return_document=ReturnDocument.AFTER
    )


def stage_insert(batch: WriteBatch, document: dict[str, Any]) -> None:
    """Stage inserting the warning (``document`` carries its ``_id``).

    The flush raises DuplicateKeyError when the customer already has an active warning
    of this kind (same ``active_key``).
    """
    batch.insert(WARNINGS, document)


def stage_update(batch: WriteBatch, oid: ObjectId, changes: dict[str, Any], unset: tuple[str, ...] = ()) -> None:
    """``update_warning``, staged in ``batch``."""
    batch.update(WARNINGS, {"_id": oid}, changing(changes, unset=unset))


async def get_warning(db: Database, oid: ObjectId) -> dict[str, Any] | None:
    """The warning with this id, or None."""
    return await db[WARNINGS].find_one({"_id": oid})


async def find_warnings(
    db: Database,
    *,
    customer_id: ObjectId | None,
    severities: list[str] | None,
    active_only: bool,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """At most ``limit`` warnings matching the criteria (see ``warnings_filter``), latest raised first."""
    query = warnings_filter(customer_id=customer_id, severities=severities, active_only=active_only)
    return [doc async for doc in db[WARNINGS].find(query).sort("raised_at", -1).limit(limit)]


async def warnings_of_many(
    db: Database, customer_ids: Sequence[ObjectId], *, active_only: bool, limit: int = 500
) -> dict[ObjectId, list[dict[str, Any]]]:
    """Each customer's warnings, newest first, at most ``limit`` each (``find_warnings`` for many in one read)."""
    found: dict[ObjectId, list[dict[str, Any]]] = {oid: [] for oid in customer_ids}
    query = warnings_filter(customer_id=None, severities=None, active_only=active_only)
    query["customer_id"] = {"$in": list(customer_ids)}
    async for doc in db[WARNINGS].find(query).sort("raised_at", -1):
        kept = found[doc["customer_id"]]
        if len(kept) < limit:
            kept.append(doc)
    return found


def warnings_filter(
    *, customer_id: ObjectId | None, severities: list[str] | None, active_only: bool, kind: str | None = None
) -> dict[str, Any]:
    """The filter for warnings of one customer, of these severities, unresolved, of one kind: each only when given."""
    query: dict[str, Any] = {}
    if customer_id is not None:
        query["customer_id"] = customer_id
    if severities is not None:
        query["severity"] = {"$in": severities}
    if active_only:
        query["resolved_at"] = None
    if kind is not None:
        query["kind"] = kind
    return query


async def page_warnings(db: Database, query: dict[str, Any], sort: SortKey, window: Window, default_size: int) -> Page:
    """One page of the warnings ``query`` (from ``warnings_filter``) matches, in ``sort`` order."""
    return await read_page(db[WARNINGS], query, sort, window, default_size)
