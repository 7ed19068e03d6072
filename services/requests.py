"""Asking the workers for follow-up work after a change (through the outbox)."""

from __future__ import annotations

from bson import ObjectId

from infra.runtime import Runtime


async def request_rescore(rt: Runtime, customer_id: ObjectId, reason: str) -> None:
    """Queue a rescoring of the customer; the worker's result is idempotent."""
    await rt.queue.send(rt.db, "rescore_customer", str(customer_id), reason)
