"""Streams of risk events for subscribers: stored history first, then live from Redis.

The Redis subscription opens before the history is read, so an event published while
catching up is not lost; ids already delivered are skipped, so none arrives twice.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bson import ObjectId
from redis.asyncio.client import PubSub

from api import ids
from api.events import CHANNEL, to_wire
from api.runtime import Runtime
from api.store import events as store
from scoring.codes import Severity

_REMEMBERED = 10_000


class _Seen:
    """Ids already delivered (bounded), so replay and live overlap deliver each once."""

    def __init__(self) -> None:
        self._order: deque[str] = deque()
        self._ids: set[str] = set()

    def add(self, event_id: str) -> bool:
        if event_id in self._ids:
            return False
        self._ids.add(event_id)
        self._order.append(event_id)
        if len(self._order) > _REMEMBERED:
            self._ids.discard(self._order.popleft())
        return True


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
    rt: Runtime, *, customer_id: ObjectId | None, min_severity: Severity, after: str | None
) -> AsyncIterator[dict[str, Any]]:
    """Yield wire-form events (see ``api.events.to_wire``) matching the filters, forever."""
    wanted_customer = ids.encode_id("Customer", customer_id) if customer_id is not None else None

    def matches(event: dict[str, Any]) -> bool:
        return (wanted_customer is None or event["customer_id"] == wanted_customer) and Severity(
            event["severity"]
        ) >= min_severity

    seen = _Seen()
    async with subscribed(rt) as pubsub:
        if after is not None:
            cursor = after
            while True:
                page = await store.events_after(rt.db, cursor, customer_id, limit=500)
                for stored in page:
                    event = to_wire(stored)
                    seen.add(event["id"])
                    if matches(event):
                        yield event
                if len(page) < 500:
                    break
                cursor = page[-1]["_id"]
        async for event in live_events(pubsub):
            if seen.add(event["id"]) and matches(event):
                yield event
