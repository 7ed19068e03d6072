"""Per-customer credit lock: serialises ledger changes, limit changes and rescoring.

These read several documents (invoices, payments, certificates) and then write; the
lock keeps two of them for one customer from interleaving. Orders do not take it: the
gate reserves credit with one atomic conditional update (``services.gate``), which
stays correct against these writers because it re-checks the figures they set.

Callers in one process queue on an in-process lock first, so they wait without
touching the database; only the holder of that one takes the database lock, a field
on the customer document set with one atomic ``find_one_and_update``, which shuts out
other processes (it works the same on the embedded server and on a replica set; an
expiry frees it if a holder dies). Only that cross-process wait polls.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from common.errors import MedcreditError
from store.batch import WriteBatch
from store.connection import Database

COLLECTION = "customers"

LOCK_TTL = timedelta(seconds=30)
WAIT_LIMIT = 15.0

# Per event loop and customer: the in-process queue in front of the database lock.
_local: dict[tuple[int, ObjectId], tuple[asyncio.Lock, int]] = {}


@asynccontextmanager
async def _in_process(customer_id: ObjectId) -> AsyncIterator[None]:
    key = (id(asyncio.get_running_loop()), customer_id)
    lock, users = _local.get(key, (asyncio.Lock(), 0))
    _local[key] = (lock, users + 1)
    try:
        async with asyncio.timeout(WAIT_LIMIT):
            await lock.acquire()
    except TimeoutError as exc:
        raise LockTimeout(f"credit lock for customer {customer_id} busy in this process for {WAIT_LIMIT}s") from exc
    else:
        try:
            yield
        finally:
            lock.release()
    finally:
        lock_now, users_now = _local[key]
        if users_now <= 1:
            del _local[key]
        else:
            _local[key] = (lock_now, users_now - 1)


class LockTimeout(MedcreditError, RuntimeError):
    """The customer's credit lock could not be taken in time (a system fault, not the user's)."""


class NoSuchCustomer(MedcreditError, LookupError):
    """The customer to lock does not exist."""


@asynccontextmanager
async def credit_lock(db: Database, customer_id: ObjectId) -> AsyncIterator[dict[str, Any]]:
    """Hold the customer's credit lock for the block; yields the customer as it is now.

    Raises:
        NoSuchCustomer: there is no customer with this id.
        LockTimeout: another holder kept the lock past ``WAIT_LIMIT``.
    """
    async with _in_process(customer_id), _database_lock(db, customer_id) as customer:
        yield customer


@asynccontextmanager
async def _database_lock(db: Database, customer_id: ObjectId) -> AsyncIterator[dict[str, Any]]:
    owner = ObjectId()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_LIMIT
    delay = 0.005
    while True:
        now = datetime.now(UTC)
        taken = await db.customers.find_one_and_update(
            {
                "_id": customer_id,
                "$or": [{"credit_lock": None}, {"credit_lock.expires": {"$lt": now}}],
            },
            {"$set": {"credit_lock": {"owner": owner, "expires": now + LOCK_TTL}}},
            return_document=ReturnDocument.AFTER,
        )
        if taken is not None:
            break
        if await db.customers.count_documents({"_id": customer_id}, limit=1) == 0:
            raise NoSuchCustomer(str(customer_id))
        if loop.time() > deadline:
            raise LockTimeout(f"credit lock for customer {customer_id} not acquired in {WAIT_LIMIT}s")
        await asyncio.sleep(delay * (1 + random.random()))
        delay = min(delay * 2, 0.1)
    try:
        yield taken
    finally:
        if taken.get("credit_lock") is not None:  # not let go by the holder's own write (``released``)
            await db.customers.update_one(
                {"_id": customer_id, "credit_lock.owner": owner}, {"$unset": {"credit_lock": ""}}
            )


class LockLost(MedcreditError, RuntimeError):
    """A holder's credit lock expired and was taken by another before it wrote (a system fault)."""


def stage_release(batch: WriteBatch, customer: dict[str, Any], changes: dict[str, Any]) -> None:
    """Stage setting ``changes`` on a locked ``customer`` and letting its lock go, in one write.

    The write only applies while the lock is still this holder's; ``released_missed``
    tells from the flush's result whether any did not.
    """
    batch.update(
        COLLECTION,
        {"_id": customer["_id"], "credit_lock.owner": customer["credit_lock"]["owner"]},
        {"$set": changes, "$unset": {"credit_lock": ""}},
    )


def released(customer: dict[str, Any]) -> None:
    """Tell ``credit_lock`` or ``credit_locks`` that the holder's own write (``stage_release``,
    flushed without misses) let this locked customer's lock go: they need not send a release."""
    customer["credit_lock"] = None


def released_missed(missed: dict[str, int]) -> int:
    """From ``WriteBatch.flush``'s result: how many ``stage_release`` writes found their lock gone."""
    return missed.get(COLLECTION, 0)


@asynccontextmanager
async def credit_locks(db: Database, customer_ids: list[ObjectId]) -> AsyncIterator[list[dict[str, Any]]]:
    """Hold the credit locks of those of ``customer_ids`` that are free now; yields those customers.

    For sweeps: two round trips take a whole chunk's locks and one lets them go, where
    ``credit_lock`` costs two per customer. It does not wait: a customer whose lock is
    held (an order or a payment being booked, say), or that does not exist, is left
    out, and the caller deals with it on its own. It shuts out this process's
    ``credit_lock`` holders the same way, through the database.
    """
    owner = ObjectId()
    now = datetime.now(UTC)
    await db.customers.update_many(
        {
            "_id": {"$in": customer_ids},
            "$or": [{"credit_lock": None}, {"credit_lock.expires": {"$lt": now}}],
        },
        {"$set": {"credit_lock": {"owner": owner, "expires": now + LOCK_TTL}}},
    )
    # By id as well as owner, so that both run on the primary key, not a scan.
    mine = {"_id": {"$in": customer_ids}, "credit_lock.owner": owner}
    locked = [doc async for doc in db.customers.find(mine)]
    try:
        yield locked
    finally:
        if any(doc.get("credit_lock") is not None for doc in locked):  # see ``released``
            await db.customers.update_many(mine, {"$unset": {"credit_lock": ""}})
