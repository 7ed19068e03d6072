"""Subscriptions over WebSocket (graphql-transport-ws): live risk events and document status.

Both are served by the process's event hub (``infra.eventhub``). A subscription the hub
closes ends with a GraphQL error saying how to resume, then the socket is closed with
a retryable code: 1013 when the client read too slowly, 1012 when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from graphql import GraphQLError
from starlette.websockets import WebSocket
from strawberry.types import Info

from infra import ids
from infra.eventhub import CloseReason, EventHub, SubscriptionClosed
from infra.eventorder import Event, event_seq
from infra.eventstream import EventFilter, live, stream_events
from schema.context import Context
from schema.documents import QualificationDocument
from schema.enums import Role, Severity
from schema.permissions import AUDIT_READERS, IsAuthenticated
from schema.risk import RiskEvent
from schema.shared_results import share
from services.documents import FINAL
from store import documents as document_store

log = logging.getLogger("medcredit.subscriptions")

# WebSocket close codes clients treat as "reconnect" (graphql-ws retries on both).
_CLOSE_CODES = {CloseReason.TOO_SLOW: 1013, CloseReason.SHUTDOWN: 1012}
_CLOSE_REASONS = {
    CloseReason.TOO_SLOW: "too slow: resubscribe with after = the last id you received",
    CloseReason.SHUTDOWN: "server stopping: resubscribe with after = the last id you received",
}
# A close frame waits behind what the client has not read yet; do not wait forever.
_CLOSE_TIMEOUT_SECONDS = 5.0

# Who changed a limit and why is audit-trail information: only roles that may read
# ``auditLog`` receive it with the event; everyone else sees the change itself.
_AUDIT_ONLY = {"LIMIT_CHANGED": ("actor", "reason")}

# Hub events are shared objects: convert each once per audience, not once per subscriber.
_RECENT_EVENTS = 512
_converted: OrderedDict[tuple[int, bool], tuple[Event, RiskEvent]] = OrderedDict()


def _risk_event(event: Event, *, may_read_audit: bool = True) -> RiskEvent:
    key = (id(event), may_read_audit)
    hit = _converted.get(key)
    if hit is not None and hit[0] is event:
        return hit[1]
    payload = event["payload"]
    hidden = () if may_read_audit else _AUDIT_ONLY.get(event["type"], ())
    if hidden and isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k not in hidden}
    converted = RiskEvent(
        id=strawberry.ID(event["id"]),
        type=event["type"],
        severity=Severity(event["severity"]),
        customer_id=strawberry.ID(event["customer_id"]),
        occurred_at=datetime.fromisoformat(event["occurred_at"]),
        payload=payload,
    )
    share(converted)  # and its GraphQL result, per query shape (schema.shared_results)
    _converted[key] = (event, converted)  # holding the event keeps its id unique
    if len(_converted) > _RECENT_EVENTS:
        _converted.popitem(last=False)
    return converted


def _hub(info: Info[Context, None]) -> EventHub:
    hub: EventHub = info.context.request.app.state.event_hub
    return hub


def _closed_error(closed: SubscriptionClosed, last_id: str | None) -> GraphQLError:
    """The last message of a subscription the hub closed: why, and how to resume."""
    return GraphQLError(
        _CLOSE_REASONS[closed.reason],
        extensions={"code": f"SUBSCRIPTION_{closed.reason.value}", "resumeAfter": last_id},
    )


async def _close_socket(info: Info[Context, None], closed: SubscriptionClosed) -> None:
    socket = info.context.request
    if isinstance(socket, WebSocket):
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                socket.close(code=_CLOSE_CODES[closed.reason], reason=_CLOSE_REASONS[closed.reason]),
                _CLOSE_TIMEOUT_SECONDS,
            )


async def _ping(info: Info[Context, None]) -> None:
    """A keep-alive the client's library answers, so idle screens notice a dead link."""
    socket = info.context.request
    if not isinstance(socket, WebSocket):
        return
    if "graphql-transport-ws" in socket.scope.get("subprotocols", []):
        await socket.send_json({"type": "ping", "payload": {"keepAlive": True}})
    else:  # the older subscriptions-transport-ws protocol's keep-alive
        await socket.send_json({"type": "ka"})


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="Every risk change as it happens. Pass the last id you saw as `after` "
        "to first receive, in order, what you missed.",
    )
    async def risk_events(
        self,
        info: Info[Context, None],
        customer_id: strawberry.ID | None = None,
        min_severity: Severity | None = Severity.INFO,
        after: strawberry.ID | None = None,
        role: Annotated[
            Role | None, strawberry.argument(description="Only events that concern this role (its warnings, orders).")
        ] = None,
    ) -> AsyncGenerator[RiskEvent]:
        customer_oid = ids.decode_oid(customer_id, "Customer") if customer_id else None
        if customer_id and customer_oid is None:
            return  # a malformed customer id matches no events
        try:
            after_seq = event_seq(str(after)) if after else None
        except ValueError:
            raise GraphQLError("`after` must be the id of an event this feed delivered") from None
        hub = _hub(info)
        wanted = EventFilter(
            customer_id=customer_oid, min_severity=min_severity or Severity.INFO, role=role.value if role else None
        )
        user = info.context.user
        may_read_audit = user is not None and user.has_any(AUDIT_READERS)
        last_id = str(after) if after else None
        try:
            async for event in stream_events(hub, wanted, after=after_seq):
                if event is None:
                    await _ping(info)
                    continue
                last_id = event["id"]
                yield _risk_event(event, may_read_audit=may_read_audit)
        except SubscriptionClosed as closed:
            yield _closed_error(closed, last_id)  # type: ignore[misc]
            await _close_socket(info, closed)

    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="The document now, then at every status change; ends at a final status.",
    )
    async def document_status(
        self, info: Info[Context, None], document_id: strawberry.ID
    ) -> AsyncGenerator[QualificationDocument]:
        rt = info.context.runtime
        oid = ids.decode_oid(document_id, "QualificationDocument")
        if oid is None:
            return
        hub = _hub(info)

        def select(event: Event) -> Event | None:
            wanted = event["type"] == "DOCUMENT_STATUS" and event["payload"].get("documentId") == document_id
            return event if wanted else None

        # Listen before reading the current state, so no change falls in between.
        subscription = hub.subscribe(select)
        try:
            current = await document_store.get_document(rt.db, oid)
            if current is None:
                return
            yield QualificationDocument.from_doc(current)
            last_status = current["status"]
            if last_status in FINAL:
                return
            async for event in live(subscription):
                if event is None:
                    await _ping(info)
                    continue
                current = await document_store.get_document(rt.db, oid)
                if current is None:
                    return
                if current["status"] != last_status:
                    last_status = current["status"]
                    yield QualificationDocument.from_doc(current)
                if last_status in FINAL:
                    return
        except SubscriptionClosed as closed:
            yield _closed_error(closed, None)  # type: ignore[misc]
            await _close_socket(info, closed)
        finally:
            subscription.cancel()
