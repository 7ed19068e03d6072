"""After the order: ``requestShipment`` / ``releaseShipment`` and ``cancelOrder``."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from common.roles import Role
from infra import ids
from schema.enums import HoldReason
from schema.errors import UserError, run_mutation, user_error
from schema.node import Node
from schema.orders import Order, OrderPayload
from schema.permissions import CREDIT, IsAuthenticated, role_permission
from services import cancellation
from services import shipments as service
from services.errors import ErrorCode, Problem
from store import orders as order_store
from store import shipments as store

SHIPPERS = role_permission(Role.SALES, Role.CREDIT_MANAGER)
CANCELLERS = role_permission(Role.SALES, Role.CREDIT_MANAGER)


@strawberry.enum(description="Whether a shipment's goods may leave.")
class ShipmentStatus(Enum):
    RELEASED = "RELEASED"
    HELD = "HELD"


@strawberry.type
class ShipmentLine:
    sku: str
    quantity: int


@strawberry.type(description="Goods of one approved order leaving the warehouse, checked again on the day.")
class Shipment(Node):
    doc: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Shipment:
        return cls(id=strawberry.ID(ids.encode_id("Shipment", doc["_id"])), doc=doc)

    @strawberry.field
    def external_ref(self) -> str:
        return str(self.doc["external_ref"])

    @strawberry.field
    def status(self) -> ShipmentStatus:
        return ShipmentStatus(self.doc["status"])

    @strawberry.field
    def hold_reasons(self) -> list[HoldReason]:
        return [HoldReason(r) for r in self.doc.get("hold_reasons", [])]

    @strawberry.field(description="When the goods were released to ship; null while held.")
    def shipped_at(self) -> datetime | None:
        return self.doc.get("shipped_at")

    @strawberry.field
    def lines(self) -> list[ShipmentLine]:
        return [ShipmentLine(sku=x["sku"], quantity=x["quantity"]) for x in self.doc["lines"]]

    @strawberry.field
    def decided_by(self) -> str | None:
        return self.doc.get("decided_by")

    @strawberry.field
    def decision_note(self) -> str | None:
        return self.doc.get("decision_note")

    @strawberry.field
    async def order(self, info: Info) -> Order:
        doc = await order_store.get_order(info.context.db, self.doc["order_id"])
        assert doc is not None, "orders are never deleted"
        return Order.from_doc(doc)


@strawberry.input
class ShipmentLineInput:
    sku: str
    quantity: int


@strawberry.input
class RequestShipmentInput:
    order_id: strawberry.ID
    external_ref: str = strawberry.field(description="Idempotency: the same ref never creates two shipments.")
    lines: list[ShipmentLineInput] | None = strawberry.field(
        default=None, description="What ships now; everything that remains when omitted."
    )


@strawberry.type
class ShipmentPayload:
    shipment: Shipment | None
    errors: list[UserError]


async def load_shipment(info: Info, public_id: str) -> Shipment | None:
    oid = ids.decode_oid(public_id, "Shipment")
    doc = await store.get_shipment(info.context.db, oid) if oid else None
    return Shipment.from_doc(doc) if doc else None


@strawberry.type
class FulfilmentQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def shipment(self, info: Info, id: strawberry.ID) -> Shipment | None:
        return await load_shipment(info, id)


@strawberry.type
class FulfilmentMutation:
    @strawberry.mutation(
        permission_classes=[SHIPPERS],
        description="Check the customer again and release (or hold) goods of an approved order.",
    )
    async def request_shipment(self, info: Info, input: RequestShipmentInput) -> ShipmentPayload:
        lines = [service.ShipLine(x.sku, x.quantity) for x in input.lines] if input.lines is not None else None
        result, errors = await run_mutation(
            lambda: service.request_shipment(
                info.context.runtime,
                ids.decode_oid(input.order_id, "Order"),
                input.external_ref,
                lines,
                actor=info.context.actor,
                today=datetime.now(UTC).date(),
            )
        )
        if result is None:
            return ShipmentPayload(shipment=None, errors=errors)
        doc, new = result
        if not new:
            errors = [
                user_error(
                    Problem(
                        "This shipment was requested before; here is its decision.",
                        ErrorCode.ALREADY_RECORDED,
                        "externalRef",
                    )
                )
            ]
        return ShipmentPayload(shipment=Shipment.from_doc(doc), errors=errors)

    @strawberry.mutation(permission_classes=[CREDIT], description="Release a held shipment (credit manager).")
    async def release_shipment(self, info: Info, id: strawberry.ID, note: str) -> ShipmentPayload:
        doc, errors = await run_mutation(
            lambda: service.release_shipment(
                info.context.runtime, ids.decode_oid(id, "Shipment"), note, actor=info.context.actor
            )
        )
        return ShipmentPayload(shipment=Shipment.from_doc(doc) if doc else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[CANCELLERS],
        description="Cancel a held or approved order that has not shipped; its reserved credit is released.",
    )
    async def cancel_order(self, info: Info, id: strawberry.ID, note: str) -> OrderPayload:
        user = info.context.user
        doc, errors = await run_mutation(
            lambda: cancellation.cancel_order(
                info.context.runtime,
                ids.decode_oid(id, "Order"),
                note,
                actor=info.context.actor,
                may_cancel_any=user is not None and user.has_any({Role.CREDIT_MANAGER, Role.ADMIN}),
            )
        )
        return OrderPayload(order=Order.from_doc(doc) if doc else None, errors=errors)
