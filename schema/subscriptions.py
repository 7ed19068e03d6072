"""Subscriptions over WebSocket (graphql-transport-ws): live risk events and document status."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from api import ids
from api.eventorder import event_seq
from api.eventstream import live_events, stream_events, subscribed
from api.services.documents import FINAL
from api.store import documents as document_store
from schema.documents import QualificationDocument
from schema.enums import Severity
from schema.permissions import AUDIT_READERS, IsAuthenticated
from schema.risk import RiskEvent

# Who changed a limit and why is audit-trail information: only roles that may read
# ``auditLog`` receive it with the event; everyone else sees the change itself.
_AUDIT_ONLY = {"LIMIT_CHANGED": ("actor", "reason")}


def _risk_event(event: dict, *, may_read_audit: bool = True) -> RiskEvent:
    payload = event["payload"]
    hidden = () if may_read_audit else _AUDIT_ONLY.get(event["type"], ())
    if hidden and isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k not in hidden}
    return RiskEvent(
        id=strawberry.ID(event["id"]),
        type=event["type"],
        severity=Severity(event["severity"]),
        customer_id=strawberry.ID(event["customer_id"]),
        occurred_at=datetime.fromisoformat(event["occurred_at"]),
        payload=payload,
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="Every risk change as it happens. Pass the last id you saw as `after` "
        "to first receive, in order, what you missed.",
    )
    async def risk_events(
        self,
        info: Info,
        customer_id: strawberry.ID | None = None,
        min_severity: Severity | None = Severity.INFO,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[RiskEvent]:
        customer_oid = ids.decode_oid(customer_id, "Customer") if customer_id else None
        if customer_id and customer_oid is None:
            return  # a malformed customer id matches no events
        try:
            after_seq = event_seq(str(after)) if after else None
        except ValueError:
            raise GraphQLError("`after` must be the id of an event this feed delivered") from None
        stream = stream_events(
            info.context.runtime,
            customer_id=customer_oid,
            min_severity=min_severity or Severity.INFO,
            after=after_seq,
        )
        user = info.context.user
        may_read_audit = user is not None and user.has_any(AUDIT_READERS)
        async for event in stream:
            yield _risk_event(event, may_read_audit=may_read_audit)

    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="The document now, then at every status change; ends at a final status.",
    )
    async def document_status(self, info: Info, document_id: strawberry.ID) -> AsyncGenerator[QualificationDocument]:
        rt = info.context.runtime
        oid = ids.decode_oid(document_id, "QualificationDocument")
        if oid is None:
            return
        # Listen before reading the current state, so no change falls in between.
        async with subscribed(rt) as pubsub:
            current = await document_store.get_document(rt.db, oid)
            if current is None:
                return
            yield QualificationDocument.from_doc(current)
            last_status = current["status"]
            if last_status in FINAL:
                return
            async for event in live_events(pubsub):
                if event["type"] != "DOCUMENT_STATUS" or event["payload"].get("documentId") != document_id:
                    continue
                current = await document_store.get_document(rt.db, oid)
                if current is None:
                    return
                if current["status"] != last_status:
                    last_status = current["status"]
                    yield QualificationDocument.from_doc(current)
                if last_status in FINAL:
                    return
