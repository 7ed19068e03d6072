"""Collection tasks. An open task holds ``open_key`` = the customer id (unique), so a
customer has at most one open task; closing it (DONE) removes the key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from store.batch import WriteBatch, changing
from store.connection import Database
from store.paging import Page, SortKey, Window, read_page

TASKS = "collection_tasks"


def open_key(customer_id: ObjectId) -> str:
    """The ``open_key`` an open task holds: unique, so a customer has one open task at most."""
    return str(customer_id)


async def open_tasks_of_many(db: Database, customer_ids: Sequence[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
    """The open task of each customer that has one (a customer has one at most: ``open_key``)."""
    query = {"open_key": {"$in": [open_key(oid) for oid in customer_ids]}}
    return {doc["customer_id"]: doc async for doc in db[TASKS].find(query)}


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
    update = _task_update(changes, note, unset)
    return await db[TASKS].find_one_and_update({"_id": oid}, update, return_document=ReturnDocument.AFTER)


def _task_update(changes: dict[str, Any], note: dict[str, Any] | None, unset: tuple[str, ...]) -> dict[str, Any]:
    return changing(changes, push={"notes": note} if note is not None else None, unset=unset)


def stage_insert(batch: WriteBatch, document: dict[str, Any]) -> None:
    """Stage inserting the task (``document`` carries its ``_id``).

    The flush raises DuplicateKeyError when the customer already has an open task
    (same ``open_key``).
    """
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
    batch.update(
        TASKS, {"_id": oid}, changing(changes, push={"notes": note} if note is not None else None, unset=unset)
    )


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
