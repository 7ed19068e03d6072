"""The ``events`` collection: every risk change, with an increasing id.

The id comes from an atomic counter and is stored as a zero-padded string ``_id``:
ordered as text, cheap to insert on the embedded engine (a numeric ``_id`` would scan).
"""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument

from store.connection import Database
from store.paging import Page, SortKey, Window, read_page

EVENTS = "events"
ID_WIDTH = 20


def format_event_id(seq: int) -> str:
    """The ``_id`` of the event with this counter value: zero-padded, so text order is number order."""
    return f"{seq:0{ID_WIDTH}d}"


async def next_event_id(db: Database) -> str:
    """Take the next event id from the atomic counter."""
    counter = await db.counters.find_one_and_update(
        {"_id": "events"}, {"$inc": {"seq": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    return format_event_id(int(counter["seq"]))


async def next_event_ids(db: Database, count: int) -> list[str]:
    """``count`` consecutive ids from one counter step (a burst of events, one round trip)."""
    counter = await db.counters.find_one_and_update(
        {"_id": "events"}, {"$inc": {"seq": count}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    last = int(counter["seq"])
    return [format_event_id(seq) for seq in range(last - count + 1, last + 1)]


async def insert_events(db: Database, events: list[dict[str, Any]]) -> None:
    """Insert the events in one ordered write (nothing for an empty list)."""
    if events:
        await db[EVENTS].insert_many(events, ordered=True)


async def last_event_seq(db: Database) -> int:
    """The last counter value handed out (0 before the first event)."""
    counter = await db.counters.find_one({"_id": "events"})
    return int(counter["seq"]) if counter else 0


async def insert_event(db: Database, event: dict[str, Any]) -> None:
    """Store one event whose id was taken before (``next_event_id``)."""
    await db[EVENTS].insert_one(event)


async def events_after(
    db: Database, after: str | None, customer_id: Any = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """At most ``limit`` stored events in id order, after the id ``after`` when given, of one customer when given."""
    query: dict[str, Any] = {}
    if after is not None:
        query["_id"] = {"$gt": after}
    if customer_id is not None:
        query["customer_id"] = customer_id
    return [doc async for doc in db[EVENTS].find(query).sort("_id", 1).limit(limit)]


async def page_events(
    db: Database, customer_id: Any, severities: list[str] | None, window: Window, default_size: int
) -> Page:
    """One page of the history in id order (the window's positions hold event ids)."""
    query: dict[str, Any] = {}
    if customer_id is not None:
        query["customer_id"] = customer_id
    if severities is not None:
        query["severity"] = {"$in": severities}
    return await read_page(db[EVENTS], query, SortKey("_id"), window, default_size)


async def get_event(db: Database, event_id: Any) -> dict[str, Any] | None:
    """The stored event with this id; None if there is none."""
    return await db[EVENTS].find_one({"_id": event_id})
