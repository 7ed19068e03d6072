"""Collection tasks. An open task holds ``open_key`` = the customer id (unique), so a
customer has at most one open task; closing it (DONE) removes the key."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from store.connection import Database
from store.paging import Page, SortKey, Window, read_page

TASKS = "collection_tasks"


def open_key(customer_id: ObjectId) -> str:
    return str(customer_id)


async def open_task_of(db: Database, customer_id: ObjectId) -> dict[str, Any] | None:
    return await db[TASKS].find_one({"open_key": open_key(customer_id)})


async def insert_task(db: Database, document: dict[str, Any]) -> dict[str, Any]:
    result = await db[TASKS].insert_one(document)
    return {**document, "_id": result.inserted_id}


async def get_task(db: Database, oid: ObjectId) -> dict[str, Any] | None:
    return await db[TASKS].find_one({"_id": oid})


async def update_task(
    db: Database,
    oid: ObjectId,
    changes: dict[str, Any],
    *,
    note: dict[str, Any] | None = None,
    unset: tuple[str, ...] = (),
) -> dict[str, Any] | None:
    update: dict[str, Any] = {"$set": changes}
    if note is not None:
        update["$push"] = {"notes": note}
    if unset:
        update["$unset"] = {name: "" for name in unset}
    return await db[TASKS].find_one_and_update({"_id": oid}, update, return_document=ReturnDocument.AFTER)


def tasks_filter(*, assignee: str | None, statuses: list[str] | None, customer_id: ObjectId | None) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if assignee is not None:
        query["assignee"] = assignee
    if statuses:
        query["status"] = {"$in": statuses}
    if customer_id is not None:
        query["customer_id"] = customer_id
    return query


async def page_tasks(db: Database, query: dict[str, Any], sort: SortKey, window: Window, default_size: int) -> Page:
    return await read_page(db[TASKS], query, sort, window, default_size)
