"""Collection tasks. An open task holds ``open_key`` = the customer id (unique), so a
customer has at most one open task; closing it (DONE) removes the key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from store.batch import WriteBatch
from store.connection import Database
from store.paging import Page, SortKey, Window, read_page

TASKS = "collection_tasks"


def open_key(customer_id: ObjectId) -> str:
    """The ``open_key`` an open task holds: unique, so a customer has one open task at most."""
    return str(customer_id)


async def open_task_of(db: Database, customer_id: ObjectId) -> dict[str, Any] | None:
    """The customer's open collection task, or None."""
    return await db[TASKS].find_one({"open_key": open_key(customer_id)})


async def open_tasks_of_many(db: Database, customer_ids: Sequence[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
    """The open task of each customer that has one (``open_task_of`` for many in one read)."""
    query = {"open_key": {"$in": [open_key(oid) for oid in customer_ids]}}
    return {doc["customer_id"]: doc async for doc in db[TASKS].find(query)}


async def insert_task(db: Database, document: dict[str, Any]) -> dict[str, Any]:
    """Insert the task; returns it with its ``_id``.

    Raises:
        DuplicateKeyError: the customer already has an open task (same ``open_key``).
    """
    result = await db[TASKS].insert_one(document)
    return {**document, "_id": result.inserted_id}


async def get_task(db: Database, oid: ObjectId) -> dict[str, Any] | None:
    """The task with this id, or None."""
    return await db[TASKS].find_one({"_id": oid})


async def update_task(
    db: Database,
    oid: ObjectId,
    changes: dict[str, Any],
    *,
    note: dict[str, Any] | None = None,
    unset: tuple[str, ...] = (),
) -> dict[str, Any] | None:
    """Set ``changes``, append ``note`` and remove the ``unset`` fields in one write.

    Returns the task as it is afterwards, or None when there is no task with this id.
    """
    update: dict[str, Any] = {"$set": changes}
    if note is not None:
        update["$push"] = {"notes": note}
    if unset:
        update["$unset"] = {name: "" for name in unset}
    return await db[TASKS].find_one_and_update({"_id": oid}, update, return_document=ReturnDocument.AFTER)


def stage_insert(batch: WriteBatch, document: dict[str, Any]) -> None:
    """``insert_task``, staged in ``batch`` (``document`` carries its ``_id``)."""
    batch.insert(TASKS, document)


def stage_update(
    batch: WriteBatch,
    oid: ObjectId,
    changes: dict[str, Any],
    *,
    note: dict[str, Any] | None = None,
    unset: tuple[str, ...] = (),
) -> None:
    """``update_task``, staged in ``batch``."""
    update: dict[str, Any] = {"$set": changes}
    if note is not None:
        update["$push"] = {"notes": note}
    if unset:
        update["$unset"] = {name: "" for name in unset}
    batch.update(TASKS, {"_id": oid}, update)


def tasks_filter(*, assignee: str | None, statuses: list[str] | None, customer_id: ObjectId | None) -> dict[str, Any]:
    """The query for tasks of ``assignee``, in ``statuses`` and of ``customer_id``, each only when given."""
    query: dict[str, Any] = {}
    if assignee is not None:
        query["assignee"] = assignee
    if statuses:
        query["status"] = {"$in": statuses}
    if customer_id is not None:
        query["customer_id"] = customer_id
    return query


async def page_tasks(db: Database, query: dict[str, Any], sort: SortKey, window: Window, default_size: int) -> Page:
    """One page of the tasks matching ``query`` (see ``tasks_filter``), in ``sort`` order."""
    return await read_page(db[TASKS], query, sort, window, default_size)
