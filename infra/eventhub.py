"""One event hub per API process: one Redis subscription, fanned out in memory.

Every process that raises risk events stores them and publishes them on one Redis
channel (``infra.events``). An API process holds a thousand open screens; giving each
its own Redis connection and its own store reads made the work per event grow with the
audience and, at 100 subscriptions, exhausted redis-py's connection pool (its default
``max_connections`` is 100), after which new subscriptions failed and even the API's own
publishes did. So the hub listens once, puts events back into id order once (one
``EventSequence``, one store read per gap), and hands each released event to every
subscriber whose selector wants it.

A subscriber is a bounded queue. The hub never waits for one: a subscriber whose queue
is full is closed as too slow (it resumes with ``after``), so a stalled screen costs
its own queue and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from common.errors import MedcreditError
from infra.eventorder import DEFAULT_MAX_WAIT, Event, EventSequence
from infra.events import CHANNEL, to_wire
from store import events as store
from store.connection import Database

log = logging.getLogger("medcredit.eventhub")

_FIRST_BACKOFF_SECONDS = 0.5

# What a subscriber wants to see of an event: the event as it should receive it, or None.
Selector = Callable[[Event], Event | None]


@dataclass(frozen=True, slots=True)
class HubOptions:
    """Limits and timings of the hub; the defaults suit a thousand screens per process."""

    # Events a subscriber may have waiting before it counts as too slow. The queue holds
    # references to events shared by every subscriber, so a full one costs kilobytes.
    queue_size: int = 1000
    # How long a gap in the ids may stay open before the missing id is given up.
    max_gap_wait: timedelta = DEFAULT_MAX_WAIT
    # While a gap is open, look in the store this often (its publish may have been lost).
    gap_poll_seconds: float = 0.25
    # With no gap, still look in the store now and then: an event whose publish failed
    # (Redis briefly down) would otherwise wait for the next event to reveal it.
    idle_poll_seconds: float = 10.0
    # Events read from the store per page, when filling gaps and replaying ``after``.
    page_size: int = 500
    # A subscription that delivered nothing for this long sends a keep-alive ping.
    heartbeat_seconds: float = 15.0
    # How often the count of open subscriptions goes to the log (when it changed).
    log_every_seconds: float = 60.0


class CloseReason(Enum):
    """Why the hub ended a subscription."""

    TOO_SLOW = "TOO_SLOW"
    SHUTDOWN = "SHUTDOWN"


class SubscriptionClosed(MedcreditError):
    """The hub ended this subscription; the client resumes with ``after``."""

    def __init__(self, reason: CloseReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


# Queued for a subscriber that received nothing for a heartbeat interval.
_HEARTBEAT: Event = {}


class HubSubscription:
    """One subscriber's bounded queue of selected events, filled by the hub."""

    def __init__(self, hub: EventHub, select: Selector, capacity: int, joined_at: int, now: float) -> None:
        self._hub = hub
        self._select = select
        self._capacity = capacity
        self._queue: deque[Event] = deque()
        self._ready = asyncio.Event()
        self._last_queued = now
        self.joined_at = joined_at
        self.closed: CloseReason | None = None

    def _offer(self, event: Event) -> bool:
        """Queue the event if wanted; False when the queue is full (the hub then closes us)."""
        chosen = self._select(event)
        if chosen is None:
            return True
        if len(self._queue) >= self._capacity:
            return False
        self._queue.append(chosen)
        self._ready.set()
        self._last_queued = self._hub._now
        self._hub.stats["delivered"] += 1
        return True

    def _heartbeat(self, now: float, interval: float) -> None:
        if not self._queue and now - self._last_queued >= interval:
            self._queue.append(_HEARTBEAT)
            self._ready.set()
            self._last_queued = now

    def _close(self, reason: CloseReason) -> None:
        self.closed = reason
        self._queue.clear()  # nothing more will be read: let the events go now
        self._ready.set()

    async def get(self) -> Event | None:
        """The next queued event, or None when a heartbeat interval passed without one.

        Raises:
            SubscriptionClosed: the hub closed this subscription (too slow, or shutting down).
        """
        while not self._queue:
            if self.closed is not None:
                raise SubscriptionClosed(self.closed)
            self._ready.clear()
            await self._ready.wait()
        event = self._queue.popleft()
        return None if event is _HEARTBEAT else event

    def cancel(self) -> None:
        """Leave the hub (the client went away or completed the operation)."""
        self._hub._remove(self)


class EventHub:
    """Listens once on the event channel and fans released events out to subscribers."""

    def __init__(self, db: Database, redis: Any, options: HubOptions | None = None) -> None:
        self.db = db
        self.redis = redis
        self.options = options or HubOptions()
        self._subscribers: set[HubSubscription] = set()
        self._sequence: EventSequence | None = None
        self._task: asyncio.Task[None] | None = None
        self._store_task: asyncio.Task[None] | None = None
        self._pubsub: Any = None
        self.stats = {"subscribed": 0, "delivered": 0, "released": 0, "closed_too_slow": 0, "store_reads": 0}
        self._logged_count = 0
        self._logged_at = 0.0
        self._now = time.monotonic()
        self._heartbeats_at = self._now
        self._backoff = _FIRST_BACKOFF_SECONDS

    @property
    def position(self) -> int:
        """The counter value of the last event released to subscribers."""
        assert self._sequence is not None, "the hub is not started"
        return self._sequence.next_seq - 1

    @property
    def subscriber_count(self) -> int:
        """Open subscriptions on this process (for logs and metrics)."""
        return len(self._subscribers)

    async def start(self) -> None:
        """Take the current position and listen from there.

        Redis may be down at start-up (the API still serves queries and ``/readyz``
        says so): the hub keeps trying, and each time it connects it first reads from
        the store whatever was stored after its position, so nothing falls in between.
        """
        self._sequence = EventSequence(await store.last_event_seq(self.db), max_wait=self.options.max_gap_wait)
        try:
            await self._connect()
        except Exception as exc:  # noqa: BLE001 - retried by the hub's loop
            log.warning("event hub cannot reach Redis yet (%s); retrying", exc)
        self._task = asyncio.create_task(self._run(), name="event-hub")
        log.info("event hub started at event %d", self.position)

    async def stop(self) -> None:
        """Close every subscription (clients are told to reconnect) and leave Redis."""
        open_count = len(self._subscribers)
        for subscriber in list(self._subscribers):
            subscriber._close(CloseReason.SHUTDOWN)
        self._subscribers.clear()
        for task in (self._task, self._store_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._disconnect()
        log.info("event hub stopped: %d subscriptions closed, %s", open_count, self._stats_text())

    def subscribe(self, select: Selector) -> HubSubscription:
        """Join the live feed now: the subscription gets every event released after ``position``."""
        subscriber = HubSubscription(self, select, self.options.queue_size, self.position, time.monotonic())
        self._subscribers.add(subscriber)
        self.stats["subscribed"] += 1
        self._log_count()
        return subscriber

    def _remove(self, subscriber: HubSubscription) -> None:
        self._subscribers.discard(subscriber)
        self._log_count()

    # -- the one loop ---------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis or the store failed: reconnect, then catch up
                log.warning("event hub lost its feed (%s); reconnecting in %.1f s", exc, self._backoff)
                await self._disconnect()
                await asyncio.sleep(self._backoff)
                self._backoff = min(self._backoff * 2, 10.0)

    async def _listen(self) -> None:
        sequence = self._sequence
        assert sequence is not None
        if self._pubsub is None:
            await self._connect()
        # The store first: after a (re)connect, whatever was published meanwhile is there.
        await self._read_store()
        self._backoff = _FIRST_BACKOFF_SECONDS
        last_store_read = time.monotonic()
        gap_since: float | None = None
        # Wake often enough to send heartbeats on time.
        idle_wait = min(self.options.idle_poll_seconds, self.options.heartbeat_seconds / 3)
        while True:
            wait = self.options.gap_poll_seconds if sequence.waiting else idle_wait
            message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=wait)
            while message is not None:
                sequence.offer(json.loads(message["data"]))
                # Take what has already arrived before fanning out, so a burst is one pass.
                message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0)
            self._now = now = time.monotonic()
            self._fan_out()
            # A gap usually closes within milliseconds, when the slower writer publishes;
            # the store is asked only when it has not (its publish may have been lost),
            # and then once for the whole process, whatever the number of subscribers.
            if not sequence.waiting:
                gap_since = None
            elif gap_since is None:
                gap_since = now
            gap_due = gap_since is not None and now - max(gap_since, last_store_read) >= self.options.gap_poll_seconds
            if gap_due or now - last_store_read >= self.options.idle_poll_seconds:
                self._read_store_soon()
                last_store_read = now
            self._send_heartbeats()
            self._log_count()

    def _read_store_soon(self) -> None:
        """Read the store beside the Redis feed, so live events do not wait for the read."""
        if self._store_task is None or self._store_task.done():
            self._store_task = asyncio.create_task(self._read_store_logged(), name="event-hub-store-read")

    async def _read_store_logged(self) -> None:
        try:
            await self._read_store()
        except Exception as exc:  # noqa: BLE001 - the next poll tries again; the feed goes on
            log.warning("event hub could not read the store: %s", exc)

    def _send_heartbeats(self) -> None:
        interval = self.options.heartbeat_seconds
        if self._now - self._heartbeats_at < interval / 3:
            return
        self._heartbeats_at = self._now
        for subscriber in self._subscribers:
            subscriber._heartbeat(self._now, interval)

    async def _read_store(self) -> None:
        """Offer every stored event after the position (a gap's missing event, or a backlog)."""
        sequence = self._sequence
        assert sequence is not None
        cursor = store.format_event_id(sequence.next_seq - 1)
        while True:
            self.stats["store_reads"] += 1
            page = await store.events_after(self.db, cursor, limit=self.options.page_size)
            for stored in page:
                sequence.offer(to_wire(stored))
            self._fan_out()
            if len(page) < self.options.page_size:
                return
            cursor = page[-1]["_id"]

    def _fan_out(self) -> None:
        sequence = self._sequence
        assert sequence is not None
        released = sequence.release(datetime.now(UTC))
        if not released:
            return
        self.stats["released"] += len(released)
        too_slow = []
        for subscriber in self._subscribers:
            for event in released:
                try:
                    kept = subscriber._offer(event)
                except Exception:  # a selector's bug must not stop the feed for everyone else
                    log.exception("event hub: a subscriber's selector failed on event %s", event["id"])
                    kept = False
                if not kept:
                    too_slow.append(subscriber)
                    break
        for subscriber in too_slow:
            # Closed, not skipped: a client must never silently miss an event.
            subscriber._close(CloseReason.TOO_SLOW)
            self._subscribers.discard(subscriber)
            self.stats["closed_too_slow"] += 1
            log.warning(
                "event hub: closed a subscriber %d events behind (too slow); it resumes with `after`",
                self.options.queue_size,
            )

    # -- Redis ----------------------------------------------------------------------

    async def _connect(self) -> None:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(CHANNEL)
        self._pubsub = pubsub

    async def _disconnect(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe(CHANNEL)
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    # -- counts in the log ---------------------------------------------------------

    def _log_count(self) -> None:
        now = time.monotonic()
        count = len(self._subscribers)
        if count != self._logged_count and now - self._logged_at >= self.options.log_every_seconds:
            log.info("event hub: %d subscriptions open; %s", count, self._stats_text())
            self._logged_count = count
            self._logged_at = now

    def _stats_text(self) -> str:
        return ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in self.stats.items())


@asynccontextmanager
async def running_hub(db: Database, redis: Any, options: HubOptions | None = None) -> AsyncIterator[EventHub]:
    """An event hub, started for the duration of the block (the API's lifespan)."""
    hub = EventHub(db, redis, options)
    await hub.start()
    try:
        yield hub
    finally:
        await hub.stop()


__all__ = [
    "CloseReason",
    "EventHub",
    "HubOptions",
    "HubSubscription",
    "Selector",
    "SubscriptionClosed",
    "running_hub",
]
