"""Streams of risk events for subscribers: stored history first, then live from Redis.

The Redis subscription opens before the history is read, so an event published while
catching up is not lost. Every event, from the store or from Redis, goes through an
``EventSequence`` (see ``api.eventorder``), so a subscriber receives each id once and
in id order even when processes finish writing out of order.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from redis.asyncio.client import PubSub

from api import ids
from api.eventorder import DEFAULT_MAX_WAIT, EventSequence
from api.events import CHANNEL, to_wire
from api.runtime import Runtime
from api.store import events as store
from scoring.codes import Severity

_PAGE = 500
# While a gap is open, look in the store this often (its publish may have been lost).
_GAP_POLL_SECONDS = 0.25
# With no gap, still look in the store now and then: an event whose publish failed
# (Redis briefly down) would otherwise wait for the next event to reveal it.
_IDLE_POLL_SECONDS = 10.0


@asynccontextmanager
async def subscribed(rt: Runtime) -> AsyncIterator[PubSub]:
    """A Redis subscription to the event channel, open for the duration of the block."""
    pubsub = rt.redis.pubsub()
    await pubsub.subscribe(CHANNEL)
    try:
        yield pubsub
    finally:
        await pubsub.unsubscribe(CHANNEL)
        await pubsub.aclose()


async def live_events(pubsub: PubSub) -> AsyncIterator[dict[str, Any]]:
    """Wire-form events as they are published on an open subscription."""
    async for message in pubsub.listen():
        if message.get("type") == "message":
            yield json.loads(message["data"])


async def stream_events(
    rt: Runtime,
    *,
    customer_id: ObjectId | None,
    min_severity: Severity,
    after: int | None,
    max_gap_wait: timedelta = DEFAULT_MAX_WAIT,
) -> AsyncIterator[dict[str, Any]]:
    """Yield wire-form events (see ``api.events.to_wire``) matching the filters, forever.

    ``after`` is the counter value of the last event the client saw; without it the
    stream starts with the next event raised.
    """
    wanted_customer = ids.encode_id("Customer", customer_id) if customer_id is not None else None

    def matches(event: dict[str, Any]) -> bool:
        return (wanted_customer is None or event["customer_id"] == wanted_customer) and Severity(
            event["severity"]
        ) >= min_severity

    async with subscribed(rt) as pubsub:
        start = after if after is not None else await store.last_event_seq(rt.db)
        sequence = EventSequence(start, max_wait=max_gap_wait)
        while True:
            # The store first: the history on the first pass, a gap's missing event later.
            # Ids are global, so the store is read unfiltered: gaps must be seen to be filled.
            async for event in _stored_after(rt, sequence.next_seq - 1):
                sequence.offer(event)
                for ready in sequence.release(datetime.now(UTC)):
                    if matches(ready):
                        yield ready
            message = await pubsub.get_message(
                ignore_subscribe_messages=True,
                timeout=_GAP_POLL_SECONDS if sequence.waiting else _IDLE_POLL_SECONDS,
            )
            while message is not None:
                sequence.offer(json.loads(message["data"]))
                for ready in sequence.release(datetime.now(UTC)):
                    if matches(ready):
                        yield ready
                if sequence.waiting:
                    break  # a gap: look in the store before waiting on Redis again
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=_IDLE_POLL_SECONDS)
            for ready in sequence.release(datetime.now(UTC)):  # a gap that has now waited long enough
                if matches(ready):
                    yield ready


async def _stored_after(rt: Runtime, seq: int) -> AsyncIterator[dict[str, Any]]:
    """Every stored event after counter value ``seq``, in id order, a page at a time."""
    cursor = store.format_event_id(seq)
    while True:
        page = await store.events_after(rt.db, cursor, limit=_PAGE)
        for stored in page:
            yield to_wire(stored)
        if len(page) < _PAGE:
            return
        cursor = page[-1]["_id"]
