"""The risk-event history as a query, for clients that poll instead of subscribing.

Cursors here are the event ids themselves, the same ids ``riskEvents`` delivers, so a
client may switch between polling ``events(after:)`` and subscribing with
``riskEvents(after:)`` without losing its place.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from infra import ids
from infra.eventorder import event_seq
from schema.enums import Severity
from schema.pagination import Connection, Edge, PageInfo, window_for
from schema.permissions import IsAuthenticated
from schema.risk import RiskEvent
from scoring.codes import Severity as SeverityLevel
from store import events as store
from store.paging import Position, Window

# Pollers catch up in big steps; still capped by the connection maximum.
DEFAULT_EVENTS_PAGE = 100


def _position(event_id: str | None, name: str) -> Position | None:
    if event_id is None:
        return None
    try:
        return Position(value=None, oid=store.format_event_id(event_seq(event_id)))
    except ValueError:
        raise GraphQLError(
            f"`{name}` must be the id of an event (a cursor of `events`).", extensions={"code": "INVALID_CURSOR"}
        ) from None


def risk_event(doc: dict[str, Any]) -> RiskEvent:
    return RiskEvent(
        id=strawberry.ID(doc["_id"]),
        type=doc["type"],
        severity=Severity(doc["severity"]),
        customer_id=strawberry.ID(ids.encode_id("Customer", doc["customer_id"])),
        occurred_at=doc["occurred_at"],
        payload=doc["payload"],
    )


@strawberry.type
class EventQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Stored risk events in id order: poll with `after` set to the last id you saw. "
        "Each edge's cursor is its event id.",
    )
    async def events(
        self,
        info: Info,
        after: strawberry.ID | None = None,
        first: int | None = None,
        before: strawberry.ID | None = None,
        last: int | None = None,
        customer_id: strawberry.ID | None = None,
        min_severity: Severity | None = Severity.INFO,
    ) -> Connection[RiskEvent]:
        sizes = window_for("events", first, None, last, None)  # checks and caps the sizes
        window = Window(
            first=sizes.first,
            after=_position(after, "after"),
            last=sizes.last,
            before=_position(before, "before"),
        )
        customer_oid = None
        if customer_id is not None:
            customer_oid = ids.decode_oid(customer_id, "Customer")
            if customer_oid is None:
                raise GraphQLError("customerId is not a customer id.", extensions={"code": "BAD_USER_INPUT"})
        least = min_severity or Severity.INFO
        severities = [s.value for s in SeverityLevel if s >= least]
        page = await store.page_events(info.context.db, customer_oid, severities, window, DEFAULT_EVENTS_PAGE)
        edges = [Edge(node=risk_event(doc), cursor=doc["_id"]) for doc in page.rows]
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
