"""Notification channels in GraphQL: role recipients, webhooks and a warning's deliveries."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from bson import ObjectId
from strawberry.types import Info

from infra import ids
from schema.enums import Role, Severity
from schema.errors import UserError, run_mutation
from schema.permissions import IsAuthenticated, role_permission
from services import webhooks as service
from store import deliveries as store

ADMIN_ONLY = role_permission()


@strawberry.enum(description="How a notification was sent.")
class DeliveryChannel(Enum):
    EMAIL = "EMAIL"
    WEBHOOK = "WEBHOOK"


@strawberry.enum(description="Where a delivery stands; RETRYING ones are tried again with growing waits.")
class DeliveryStatus(Enum):
    PENDING = "PENDING"
    RETRYING = "RETRYING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@strawberry.type(description="One notification of one event to one target, with its attempts.")
class Delivery:
    channel: DeliveryChannel
    target: str
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    event_id: strawberry.ID
    created_at: datetime
    delivered_at: datetime | None


def delivery_from(doc: dict[str, Any]) -> Delivery:
    return Delivery(
        channel=DeliveryChannel(doc["channel"]),
        target=doc["target"],
        status=DeliveryStatus(doc["status"]),
        attempts=int(doc.get("attempts", 0)),
        last_error=doc.get("last_error"),
        event_id=strawberry.ID(doc["event_id"]),
        created_at=doc["created_at"],
        delivered_at=doc.get("delivered_at"),
    )


async def deliveries_of_warning(info: Info, warning_oid: ObjectId) -> list[Delivery]:
    return [delivery_from(d) for d in await store.deliveries_of_warning(info.context.db, warning_oid)]


@strawberry.type(description="An outside endpoint that receives signed events (see README, Webhooks).")
class Webhook:
    id: strawberry.ID
    url: str
    min_severity: Severity
    event_types: list[str] = strawberry.field(description="Empty: every type.")
    disabled: bool = strawberry.field(description="Turned off after repeated failures; create it again to resume.")
    consecutive_failures: int
    created_at: datetime


def webhook_from(doc: dict[str, Any]) -> Webhook:
    return Webhook(
        id=strawberry.ID(ids.encode_id("Webhook", doc["_id"])),
        url=doc["url"],
        min_severity=Severity(doc["min_severity"]),
        event_types=list(doc.get("event_types", [])),
        disabled=bool(doc.get("disabled")),
        consecutive_failures=int(doc.get("consecutive_failures", 0)),
        created_at=doc["created_at"],
    )


@strawberry.input
class CreateWebhookInput:
    url: str
    min_severity: Severity = Severity.INFO
    event_types: list[str] = strawberry.field(default_factory=list, description="Empty: every type.")


@strawberry.type
class CreateWebhookPayload:
    webhook: Webhook | None
    secret: str | None = strawberry.field(description="The signing secret: shown here once, never again.")
    errors: list[UserError]


@strawberry.type
class DeleteWebhookPayload:
    webhook: Webhook | None
    errors: list[UserError]


@strawberry.type
class RoleRecipientsPayload:
    role: Role
    emails: list[str]
    errors: list[UserError]


@strawberry.type
class NotificationQuery:
    @strawberry.field(permission_classes=[IsAuthenticated, ADMIN_ONLY])
    async def webhooks(self, info: Info) -> list[Webhook]:
        return [webhook_from(d) for d in await store.webhooks(info.context.db)]

    @strawberry.field(permission_classes=[IsAuthenticated, ADMIN_ONLY])
    async def role_recipients(self, info: Info, role: Role) -> list[str]:
        return (await store.role_recipients(info.context.db)).get(role.value, [])


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(permission_classes=[ADMIN_ONLY], description="Who is e-mailed when a warning notifies `role`.")
    async def set_role_recipients(self, info: Info, role: Role, emails: list[str]) -> RoleRecipientsPayload:
        saved, errors = await run_mutation(
            lambda: service.set_role_recipients(info.context.runtime, role, emails, actor=info.context.actor)
        )
        return RoleRecipientsPayload(role=role, emails=saved if saved is not None else [], errors=errors)

    @strawberry.mutation(permission_classes=[ADMIN_ONLY])
    async def create_webhook(self, info: Info, input: CreateWebhookInput) -> CreateWebhookPayload:
        made, errors = await run_mutation(
            lambda: service.create_webhook(
                info.context.runtime, input.url, input.min_severity, input.event_types, actor=info.context.actor
            )
        )
        if made is None:
            return CreateWebhookPayload(webhook=None, secret=None, errors=errors)
        return CreateWebhookPayload(webhook=webhook_from(made[0]), secret=made[1], errors=[])

    @strawberry.mutation(permission_classes=[ADMIN_ONLY])
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> DeleteWebhookPayload:
        doc, errors = await run_mutation(
            lambda: service.delete_webhook(
                info.context.runtime, ids.decode_oid(id, "Webhook"), actor=info.context.actor
            )
        )
        return DeleteWebhookPayload(webhook=webhook_from(doc) if doc else None, errors=errors)
