"""Risk events: stored first (so nothing is lost), then published on Redis pub/sub.

Any process (API, worker, scheduler) records events the same way; the API fans them
out to GraphQL subscribers, who resume after a disconnect from the stored ids.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from infra import ids
from scoring.codes import Severity
from store import events as store
from store.connection import Database

log = logging.getLogger("medcredit.events")
CHANNEL = "medcredit:events"
# An event noted, not yet stored: type, severity, customer, payload.
RaisedEvent = tuple[str, Severity, ObjectId, dict[str, Any]]

# The events of the ``events_together`` block this task runs in (None outside one).
_together: ContextVar[list[RaisedEvent] | None] = ContextVar("medcredit_events_together", default=None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # Decimal and enums travel as strings


def to_wire(event: dict[str, Any]) -> dict[str, Any]:
    """The JSON form published on Redis and served to subscribers."""
    return {
        "id": event["_id"],
        "type": event["type"],
        "severity": event["severity"],
        "customer_id": ids.encode_id("Customer", event["customer_id"]),
        "occurred_at": event["occurred_at"].isoformat(),
        "payload": event["payload"],
    }


async def record_event(
    db: Database,
    redis: Any,
    type_: str,
    severity: Severity,
    customer_id: ObjectId,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """Store an event with the next id, then publish it; returns the stored event.

    Inside ``events_together`` the event is only noted (returned without its id) and
    stored with the others on the way out.
    """
    together = _together.get()
    if together is not None:
        together.append((type_, severity, customer_id, payload))
        return {"type": type_, "severity": severity.value, "customer_id": customer_id, "payload": _jsonable(payload)}
    event = await new_event(db, type_, severity, customer_id, payload)
    await store_and_publish(db, redis, event)
    return event


@asynccontextmanager
async def events_together(db: Database, redis: Any) -> AsyncIterator[None]:
    """Store and publish the events recorded inside in one go, in the order they were raised.

    One use case often raises several events (a rescoring: score, limit and warning
    changes); one by one each cost a counter step and an insert, two round trips.
    Together they cost two in all. The events are written on the way out, also when the
    use case fails part-way, since what it changed before the failure stays changed.
    Nested blocks leave the writing to the outermost.
    """
    if _together.get() is not None:
        yield
        return
    raised: list[RaisedEvent] = []
    try:
        with events_noted() as raised:
            yield
    finally:
        await record_events(db, redis, raised)


@contextmanager
def events_noted() -> Iterator[list[RaisedEvent]]:
    """Note the events recorded inside in the yielded list, in raising order, and store none.

    For a use case that stores its events only if it succeeds (a sweep's rescorings,
    say): it passes the list to ``record_events`` afterwards, or drops it.
    """
    raised: list[RaisedEvent] = []
    token = _together.set(raised)
    try:
        yield raised
    finally:
        _together.reset(token)


async def record_events(db: Database, redis: Any, raised: list[RaisedEvent]) -> list[dict[str, Any]]:
    """Store a burst of events (type, severity, customer, payload) with consecutive ids, then publish them.

    One counter step and one insert for the lot: a batch of order decisions costs three
    round trips, not three per order.
    """
    if not raised:
        return []
    now = datetime.now(UTC)
    events = [
        {
            "_id": event_id,
            "type": type_,
            "severity": severity.value,
            "customer_id": customer_id,
            "occurred_at": now,
            "payload": _jsonable(payload),
        }
        for event_id, (type_, severity, customer_id, payload) in zip(
            await store.next_event_ids(db, len(raised)), raised, strict=True
        )
    ]
    await store.insert_events(db, events)
    try:
        async with redis.pipeline(transaction=False) as pipe:
            for event in events:
                pipe.publish(CHANNEL, json.dumps(to_wire(event), ensure_ascii=False))
            await pipe.execute()
    except Exception as exc:  # noqa: BLE001 - stored already; subscribers catch up from the collection
        log.warning("events %s..%s stored but not published: %s", events[0]["_id"], events[-1]["_id"], exc)
    return events


async def new_event(
    db: Database, type_: str, severity: Severity, customer_id: ObjectId, payload: dict[str, Any]
) -> dict[str, Any]:
    """An event with the next id, not yet stored: its id is taken now, so ids follow raising order."""
    return {
        "_id": await store.next_event_id(db),
        "type": type_,
        "severity": severity.value,
        "customer_id": customer_id,
        "occurred_at": datetime.now(UTC),
        "payload": _jsonable(payload),
    }


async def store_and_publish(db: Database, redis: Any, event: dict[str, Any]) -> None:
    """Store the event, then tell live subscribers; a failed publish loses nothing."""
    await store.insert_event(db, event)
    try:
        await redis.publish(CHANNEL, json.dumps(to_wire(event), ensure_ascii=False))
    except Exception as exc:  # noqa: BLE001 - stored already; subscribers catch up from the collection
        log.warning("event %s stored but not published: %s", event["_id"], exc)
