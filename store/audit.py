"""The audit trail: append-only. This module only ever inserts and reads.

Every row has one shape (``entry``): the customer it concerns (or None), the action,
who, when and a detail object. Many concurrent requests write rows at once (a burst
of orders, say), so ``AuditWriter`` stores them with one ``insert_many`` per burst
instead of one round trip each; every caller still waits until its row is stored.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from store.batch import WriteBatch
from store.connection import Database
from store.paging import Page, SortKey, Window, read_page

AUDIT = "audit"


def entry(customer_id: ObjectId | None, action: str, actor: str, detail: dict[str, Any]) -> dict[str, Any]:
    """An audit row: who (``actor``) did what (``action``, ``detail``) to which customer, now."""
    return {"customer_id": customer_id, "action": action, "actor": actor, "at": datetime.now(UTC), "detail": detail}


async def insert_entry(db: Database, row: dict[str, Any]) -> None:
    """Store one row made by ``entry``, on its own (``AuditWriter`` groups concurrent rows)."""
    await db[AUDIT].insert_one(row)


def stage_entry(batch: WriteBatch, row: dict[str, Any]) -> None:
    """Stage one row made by ``entry`` in ``batch`` (it is stored with the use case's other writes)."""
    batch.insert(AUDIT, row)


async def entries_for(db: Database, customer_id: ObjectId, limit: int) -> list[dict[str, Any]]:
    """The customer's latest ``limit`` rows, newest first."""
    cursor = db[AUDIT].find({"customer_id": customer_id}).sort("at", -1).limit(limit)
    return [doc async for doc in cursor]


async def page_entries(
    db: Database, customer_id: ObjectId | None, action: str | None, sort: SortKey, window: Window, default_size: int
) -> Page:
    """One page of the trail, for one customer and one action when given, in ``sort`` order."""
    query: dict[str, Any] = {}
    if customer_id is not None:
        query["customer_id"] = customer_id
    if action is not None:
        query["action"] = action
    return await read_page(db[AUDIT], query, sort, window, default_size)


class AuditWriter:
    """Group commit for audit rows: concurrent ``write`` calls share one ``insert_many``."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def write(self, *rows: dict[str, Any]) -> None:
        """Store ``rows``; returns once they are in the database (raises if the write failed)."""
        if not rows:
            return
        loop = asyncio.get_running_loop()
        futures = []
        for row in rows:
            future: asyncio.Future[None] = loop.create_future()
            self._pending.append((row, future))
            futures.append(future)
        if self._flusher is None or self._flusher.done():
            self._flusher = loop.create_task(self._flush())
        await asyncio.gather(*futures)

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._db[AUDIT].insert_many([row for row, _ in batch], ordered=False)
            except Exception as exc:  # noqa: BLE001 - handed to every waiting caller, who raises it
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)
