"""Keyset pages over any collection, in both directions, for Relay connections.

A page is read by position in a sort order, never by ``skip``: a row is "after" a
cursor when its sort value (and then its ``_id``, which breaks ties) comes later in
that order. Rows written between two requests therefore neither repeat nor vanish
from a client's scroll, and a page deep in a large list costs what the first does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from motor.motor_asyncio import AsyncIOMotorCollection


@dataclass(frozen=True, slots=True)
class SortKey:
    """One field to sort by (``_id`` breaks ties in the same direction)."""

    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Position:
    """Where a cursor points: the row's sort value and its id."""

    value: Any
    oid: Any  # the row's _id: an ObjectId, or an event id string


@dataclass(frozen=True, slots=True)
class Window:
    """Relay's arguments, decoded: at most ``first`` rows after ``after``, or ``last`` before ``before``."""

    first: int | None = None
    after: Position | None = None
    last: int | None = None
    before: Position | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """A page's rows, whether rows follow and precede it, and how to count every matching row.

    The count is a separate read, made only when called: counting reads every matching
    row, and most list screens never show the total.
    """

    rows: list[dict[str, Any]]
    has_next: bool
    has_previous: bool
    count: Callable[[], Awaitable[int]]


def _beyond(sort: SortKey, at: Position, *, later: bool, inclusive: bool = False) -> dict[str, Any]:
    """A filter for the rows later (or earlier) than ``at`` in the sort order."""
    op = "$gt" if later != sort.descending else "$lt"
    id_op = op + ("e" if inclusive else "")
    if sort.field == "_id":
        return {"_id": {id_op: at.oid}}
    return {"$or": [{sort.field: {op: at.value}}, {sort.field: at.value, "_id": {id_op: at.oid}}]}


async def _known(count: int) -> int:
    return count


def _both(*filters: dict[str, Any]) -> dict[str, Any]:
    parts = [f for f in filters if f]
    if not parts:
        return {}
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _order(sort: SortKey, *, reverse: bool) -> list[tuple[str, int]]:
    direction = -1 if sort.descending != reverse else 1
    if sort.field == "_id":
        return [("_id", direction)]
    return [(sort.field, direction), ("_id", direction)]


async def _exists(collection: AsyncIOMotorCollection, query: dict[str, Any]) -> bool:
    return await collection.find_one(query, projection={"_id": 1}) is not None


async def read_page(
    collection: AsyncIOMotorCollection,
    base: dict[str, Any],
    sort: SortKey,
    window: Window,
    default_size: int,
) -> Page:
    """Return the rows of ``base`` that ``window`` selects in ``sort`` order, as Relay pages them.

    Parameters:
        collection: the collection to read.
        base: the filter every row matches; ``total`` counts it.
        sort: the order.
        window: first/after/last/before; with neither ``first`` nor ``last``, ``default_size`` rows from the start.
        default_size: the page size when the caller gives none.

    Returns:
        The rows in sort order, whether rows follow and precede them (within ``base``), and
        how to count the rows of ``base``.
    """
    bounds = _both(
        base,
        _beyond(sort, window.after, later=True) if window.after else {},
        _beyond(sort, window.before, later=False) if window.before else {},
    )
    first, last = window.first, window.last
    if first is None and last is None:
        first = default_size
    if first is not None:
        rows = [doc async for doc in collection.find(bounds).sort(_order(sort, reverse=False)).limit(first + 1)]
        has_next = len(rows) > first
        rows = rows[:first]
        if not has_next and window.before is not None:
            has_next = await _exists(collection, _both(base, _beyond(sort, window.before, later=True, inclusive=True)))
        has_previous = window.after is not None and await _exists(
            collection, _both(base, _beyond(sort, window.after, later=False, inclusive=True))
        )
        if last is not None and len(rows) > last:
            rows, has_previous = rows[len(rows) - last :], True
    else:
        assert last is not None
        rows = [doc async for doc in collection.find(bounds).sort(_order(sort, reverse=True)).limit(last + 1)]
        has_previous = len(rows) > last
        rows = list(reversed(rows[:last]))
        has_next = window.before is not None and await _exists(
            collection, _both(base, _beyond(sort, window.before, later=True, inclusive=True))
        )
    return Page(rows=rows, has_next=has_next, has_previous=has_previous, count=lambda: collection.count_documents(base))


def page_of_rows(rows: list[dict[str, Any]], window: Window, default_size: int) -> Page:
    """Page rows already read in sort order, for a window without cursors.

    A list screen asks each row's first few children (``documents(first: 5)``); reading
    every child of a page of parents in one query and paging them here costs one round
    trip instead of one per parent. Windows with cursors go to ``read_page``.
    """
    if window.after is not None or window.before is not None:
        raise ValueError("page_of_rows pages from an end; a window with cursors needs read_page")
    first, last = window.first, window.last
    if first is None and last is None:
        first = default_size
    if first is not None:
        kept = rows[:first]
        has_next, has_previous = len(rows) > first, False
        if last is not None and len(kept) > last:
            kept, has_previous = kept[len(kept) - last :], True
    else:
        assert last is not None
        kept = rows[max(len(rows) - last, 0) :]
        has_next, has_previous = False, len(rows) > last
    return Page(rows=kept, has_next=has_next, has_previous=has_previous, count=partial(_known, len(rows)))


def sort_order(sort: SortKey) -> list[tuple[str, int]]:
    """The Mongo sort specification of ``sort`` (``_id`` breaking ties)."""
    return _order(sort, reverse=False)
