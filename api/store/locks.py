"""Per-customer credit lock: serialises ledger changes and order decisions for one customer.

Credit decisions read several documents (invoices, open orders, certificates) and then
write; holding the customer's lock while doing so is what keeps 50 orders racing for
the same credit from approving more than the limit. It is a field on the customer
document taken with one atomic ``find_one_and_update``, so it works the same on the
embedded server and on a replica set; an expiry frees it if a holder dies.
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

from api.store.connection import Database

LOCK_TTL = timedelta(seconds=30)
WAIT_LIMIT = 60.0


class LockTimeout(RuntimeError):
    """The customer's credit lock could not be taken in time (a system fault, not the user's)."""


class NoSuchCustomer(LookupError):
    """The customer to lock does not exist."""


@asynccontextmanager
async def credit_lock(db: Database, customer_id: ObjectId) -> AsyncIterator[dict[str, Any]]:
    """Hold the customer's credit lock for the block; yields the customer as it is now.

    Raises:
        NoSuchCustomer: there is no customer with this id.
        LockTimeout: another holder kept the lock past ``WAIT_LIMIT``.
    """
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
        await db.customers.update_one({"_id": customer_id, "credit_lock.owner": owner}, {"$unset": {"credit_lock": ""}})
