"""Dramatiq actors. Each is a few lines: load by id, call a service, store idempotently.

Run a worker with ``dramatiq workers.actors``. Messages carry ids and primitives only;
every actor is safe to run twice (a redelivered message changes nothing more).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import dramatiq
from bson import ObjectId
from bson.errors import InvalidId

from infra.progress import SweepLog
from services import document_reading, expiry, rescoring, signals
from store import customers as customer_store
from workers.broker import setup_broker
from workers.runtime import get_runtime

broker = setup_broker()
log = logging.getLogger("medcredit.sweep")

# Bad ids are the sender's bug, not a transient fault: retrying cannot help.
_NOT_RETRIED = (InvalidId,)


def _today():  # type: ignore[no-untyped-def]
    return datetime.now(UTC).date()


@dramatiq.actor(max_retries=3)
async def flush_outbox() -> None:
    """Re-send messages the API could not hand to the broker when they were made."""
    runtime = await get_runtime()
    await runtime.queue.flush_outbox(runtime.db)


@dramatiq.actor(max_retries=5, min_backoff=500, throws=_NOT_RETRIED)
async def rescore_customer(customer_id: str, reason: str = "requested") -> None:
    """Score one customer and apply the limit policy and warning ladder."""
    runtime = await get_runtime()
    await rescoring.rescore_customer(runtime, ObjectId(customer_id), today=_today(), reason=reason)


# Customers per sweep message: a chunk is loaded, decided and written together, so it
# costs about the round trips of one rescoring (``services.rescoring.rescore_many``);
# small enough that a sweep still spreads over every worker thread.
SWEEP_CHUNK = 25


@dramatiq.actor(max_retries=3)
async def rescore_all(reason: str = "daily sweep") -> None:
    """The daily sweep: queue every customer's rescoring in chunks (receivables age overnight)."""
    runtime = await get_runtime()
    sweep = SweepLog(log, "rescore_all", await customer_store.count_customers(runtime.db))
    chunk: list[str] = []
    async for customer_id in customer_store.all_ids(runtime.db):
        chunk.append(str(customer_id))
        sweep.advance()
        if len(chunk) == SWEEP_CHUNK:
            rescore_customers.send(chunk, reason)
            chunk = []
    if chunk:
        rescore_customers.send(chunk, reason)
    sweep.finish(queued=sweep.done)


@dramatiq.actor(max_retries=3, throws=_NOT_RETRIED)
async def rescore_customers(customer_ids: list[str], reason: str = "daily sweep") -> None:
    """Rescore a chunk of the sweep together; a customer it leaves out (busy, or failed) gets a message of its own."""
    runtime = await get_runtime()
    oids = [ObjectId(customer_id) for customer_id in customer_ids]
    for left_out in await rescoring.rescore_many(runtime, oids, today=_today(), reason=reason):
        rescore_customer.send(str(left_out), reason)


@dramatiq.actor(max_retries=5, min_backoff=1000, throws=_NOT_RETRIED)
async def process_document(document_id: str) -> None:
    """Read, verify and file one uploaded document (a no-op once it is decided)."""
    runtime = await get_runtime()
    await document_reading.process_document(runtime, ObjectId(document_id), today=_today())


@dramatiq.actor(max_retries=3)
async def expiry_sweep() -> None:
    """Daily: mark lapsed certificates expired and raise the expiry reminders."""
    runtime = await get_runtime()
    await expiry.sweep_expiry(runtime, today=_today())  # logs its own progress and totals


@dramatiq.actor(max_retries=3)
async def pull_ratings() -> None:
    """Daily: ask the credit-information provider (MEDCREDIT_RATINGS_URL) for new ratings."""
    runtime = await get_runtime()
    await signals.pull_configured_ratings(runtime, today=_today())
