"""Relay connections: cursors, ``PageInfo``, edges, and the arguments every list takes.

A cursor names the ordering it was made for and the row's position in it (sort value
and id), base64-encoded so clients treat it as opaque. A cursor that is not ours, or
that belongs to another ``orderBy``, is refused with ``extensions.code`` ``INVALID_CURSOR``
instead of silently restarting from the beginning.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry
from bson import ObjectId
from bson.errors import InvalidId
from graphql import GraphQLError

from common.errors import MedcreditError
from infra import ids
from store.paging import Page, Position, SortKey, Window

T = TypeVar("T")

# Larger pages are cut to this size; a client pages on with the cursors.
MAX_PAGE = 100
DEFAULT_PAGE = 20


@strawberry.type(description="Relay's page information for a connection.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
    has_previous_page: bool = False
    start_cursor: str | None = None


@strawberry.enum(description="Sort direction of an `orderBy`.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest, oldest or A first.")
    DESC = strawberry.enum_value("DESC", description="Largest, newest or Z first.")


@strawberry.type(description="One row of a connection and the cursor pointing at it.")
class Edge(Generic[T]):  # noqa: UP046 - strawberry cannot resolve PEP 695 generics here
    node: T
    cursor: str


@strawberry.type(description="A Relay connection: a page of rows, where it sits, and how many rows match.")
class Connection(Generic[T]):  # noqa: UP046 - as Edge
    edges: list[Edge[T]]
    page_info: PageInfo
    # Counted only when a client asks for totalCount (store.paging.Page.count).
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many rows match, on every page (counted when asked for).")
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="The rows of this page without their cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


class InvalidCursor(MedcreditError, GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "INVALID_CURSOR"})


class InvalidPageArguments(MedcreditError, GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})


def _value_to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, Decimal):
        return {"m": str(value)}
    if isinstance(value, ObjectId):
        return {"o": str(value)}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


def _value_from_json(raw: Any) -> Any:
    if isinstance(raw, dict):
        (tag, text), *_ = raw.items()
        if tag == "t":
            return datetime.fromisoformat(text)
        if tag == "m":
            return Decimal(text)
        if tag == "o":
            return ObjectId(text)
        raise ValueError(tag)
    return raw


def _field_value(doc: dict[str, Any], field: str) -> Any:
    value: Any = doc
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def encode_cursor(ordering: str, sort: SortKey, doc: dict[str, Any]) -> str:
    """The cursor of ``doc`` in ``ordering`` (a name such as ``customers:CODE:ASC``)."""
    value = None if sort.field == "_id" else _value_to_json(_field_value(doc, sort.field))
    text = json.dumps([ordering, value, str(doc["_id"])], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, ordering: str) -> Position:
    """Where ``cursor`` points in ``ordering``.

    Raises:
        InvalidCursor: the cursor is not one of ours, or was made for another list or ``orderBy``.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, value, oid = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        position = Position(value=_value_from_json(value), oid=ObjectId(oid))
    except (ValueError, TypeError, InvalidId, InvalidOperation, UnicodeDecodeError, AttributeError) as exc:
        raise InvalidCursor(f"Invalid cursor {cursor!r}: pass a cursor this list returned.") from exc
    if name != ordering:
        raise InvalidCursor(
            f"This cursor belongs to another list or ordering ({name}); "
            "page on with the same list, filter and orderBy that returned it."
        )
    return position


def _size(name: str, value: int | None) -> int | None:
    if value is None:
        return None
    if value < 0:
        raise InvalidPageArguments(f"`{name}` must not be negative.")
    return min(value, MAX_PAGE)


def window_for(
    ordering: str,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Window:
    """Decode Relay's four arguments for ``ordering``.

    Raises:
        InvalidCursor: ``after`` or ``before`` is not a cursor of this ordering.
        InvalidPageArguments: a negative ``first`` or ``last``.
    """
    return Window(
        first=_size("first", first),
        after=decode_cursor(after, ordering) if after else None,
        last=_size("last", last),
        before=decode_cursor(before, ordering) if before else None,
    )


def connection_from(  # noqa: UP047 - T is shared with Connection
    page: Page, ordering: str, sort: SortKey, node: Callable[[dict[str, Any]], T]
) -> Connection[T]:
    """A connection over ``page``, each row turned into a node by ``node``."""
    edges = [Edge(node=node(doc), cursor=encode_cursor(ordering, sort, doc)) for doc in page.rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=page.count,
    )


def ordering_for(list_name: str, field: Enum, direction: OrderDirection) -> tuple[str, SortKey]:
    """The ordering's name (cursors carry it) and its sort key; ``field``'s value is the stored field."""
    return f"{list_name}:{field.name}:{direction.name}", SortKey(str(field.value), direction is OrderDirection.DESC)


def filtered_customer(filter: Any) -> ObjectId | None:
    """The customer a list's ``filter.customerId`` names, None when it names none.

    Raises:
        GraphQLError: BAD_USER_INPUT when the id is not a customer id.
    """
    customer_id = getattr(filter, "customer_id", None) if filter is not None else None
    if customer_id is None:
        return None
    oid = ids.decode_oid(customer_id, "Customer")
    if oid is None:
        raise GraphQLError("filter.customerId is not a customer id.", extensions={"code": "BAD_USER_INPUT"})
    return oid
