"""Writes staged by one use case and sent together: one load, one decision, one write.

A rescoring used to write as it decided: a score history row, a warning, a task, a
limit change, an audit row, the customer, each its own round trip. Staged here, they
leave as one ``insert_many`` and one ``bulk_write`` per collection that has any, in
whatever order; so a batch may hold at most one write per document (the customer's
fields are merged into one update by the caller). A sweep stages many customers'
writes into one batch, so a chunk of customers costs the round trips one did.
"""

from __future__ import annotations

from typing import Any

from pymongo import UpdateOne

from store.connection import Database


def changing(
    changes: dict[str, Any], *, push: dict[str, Any] | None = None, unset: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The update document that sets ``changes``, appends ``push`` and removes ``unset`` fields."""
    update: dict[str, Any] = {"$set": changes}
    if push:
        update["$push"] = push
    if unset:
        update["$unset"] = {name: "" for name in unset}
    return update


class WriteBatch:
    """Inserts and updates by collection, waiting for ``flush``."""

    def __init__(self) -> None:
        self._inserts: dict[str, list[dict[str, Any]]] = {}
        self._updates: dict[str, list[UpdateOne]] = {}

    def insert(self, collection: str, document: dict[str, Any]) -> None:
        """Stage inserting ``document`` (give it its ``_id`` first when the caller needs it)."""
        self._inserts.setdefault(collection, []).append(document)

    def update(self, collection: str, query: dict[str, Any], update: dict[str, Any], *, upsert: bool = False) -> None:
        """Stage one ``update_one(query, update)``."""
        self._updates.setdefault(collection, []).append(UpdateOne(query, update, upsert=upsert))

    def extend(self, other: WriteBatch) -> None:
        """Take over ``other``'s staged writes (a use case that succeeded joins its sweep's batch)."""
        for name, documents in other._inserts.items():
            self._inserts.setdefault(name, []).extend(documents)
        for name, updates in other._updates.items():
            self._updates.setdefault(name, []).extend(updates)

    def __len__(self) -> int:
        return sum(map(len, self._inserts.values())) + sum(map(len, self._updates.values()))

    async def flush(self, db: Database) -> dict[str, int]:
        """Send everything staged (inserts before updates, per collection) and start empty again.

        Returns:
            How many staged updates found no document to change, by collection (a
            conditional update's condition no longer held).
        Raises:
            pymongo.errors.PyMongoError: a write failed; what was sent before it stays.
        """
        inserts, updates = self._inserts, self._updates
        self._inserts, self._updates = {}, {}
        for name, documents in inserts.items():
            await db[name].insert_many(documents, ordered=False)
        missed: dict[str, int] = {}
        for name, operations in updates.items():
            result = await db[name].bulk_write(operations, ordered=False)
            missed[name] = len(operations) - result.matched_count - result.upserted_count
        return missed
