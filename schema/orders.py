"""Orders: ``submitOrder`` through the gate, and a person's ``releaseOrder`` / ``rejectOrder``."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api import ids
from api.errors import ErrorCode
from api.services import gate
from api.services import orders as service
from api.store import orders as store
from schema.enums import DeviceClass, HoldReason, OrderStatus
from schema.errors import UserError, run_mutation
from schema.node import Node
from schema.permissions import CREDIT, SALES, IsAuthenticated

if TYPE_CHECKING:
    from schema.customers import Customer


@strawberry.type
class OrderLine:
    sku: str
    device_class: DeviceClass
    category: str
    quantity: int
    unit_price: Decimal


@strawberry.type
class Order(Node):
    doc: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Order:
        return cls(id=strawberry.ID(ids.encode_id("Order", doc["_id"])), doc=doc)

    @strawberry.field
    def external_ref(self) -> str:
        return str(self.doc["external_ref"])

    @strawberry.field
    def amount(self) -> Decimal:
        return self.doc["amount"]

    @strawberry.field
    def lines(self) -> list[OrderLine]:
        return [
            OrderLine(
                sku=item["sku"],
                device_class=DeviceClass(item["device_class"]),
                category=item["category"],
                quantity=item["quantity"],
                unit_price=item["unit_price"],
            )
            for item in self.doc["lines"]
        ]

    @strawberry.field
    def status(self) -> OrderStatus:
        return OrderStatus(self.doc["status"])

    @strawberry.field
    def hold_reasons(self) -> list[HoldReason]:
        return [HoldReason(r) for r in self.doc.get("hold_reasons", [])]

    @strawberry.field
    def decided_by(self) -> str | None:
        return self.doc.get("decided_by")

    @strawberry.field
    def decision_note(self) -> str | None:
        return self.doc.get("decision_note")

    @strawberry.field
    def submitted_at(self) -> datetime:
        return self.doc["submitted_at"]

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("schema.customers")]:
        from schema.customers import Customer

        return Customer.from_doc(await info.context.customers.load(self.doc["customer_id"]))


@strawberry.input
class OrderLineInput:
    sku: str
    device_class: DeviceClass
    category: str
    quantity: int
    unit_price: Decimal


@strawberry.input
class SubmitOrderInput:
    customer_id: strawberry.ID
    external_ref: str
    lines: list[OrderLineInput]


@strawberry.type
class OrderPayload:
    order: Order | None
    errors: list[UserError]


async def load_order(info: Info, public_id: str) -> Order | None:
    oid = ids.decode_oid(public_id, "Order")
    doc = await store.get_order(info.context.db, oid) if oid else None
    return Order.from_doc(doc) if doc else None


@strawberry.type
class OrderQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        return await load_order(info, id)


@strawberry.type
class OrderMutation:
    @strawberry.mutation(permission_classes=[SALES])
    async def submit_order(self, info: Info, input: SubmitOrderInput) -> OrderPayload:
        lines = [
            service.Line(
                sku=item.sku,
                device_class=item.device_class.value,
                category=item.category,
                quantity=item.quantity,
                unit_price=item.unit_price,
            )
            for item in input.lines
        ]
        result, errors = await run_mutation(
            lambda: gate.submit_order(
                info.context.runtime,
                ids.decode_oid(input.customer_id, "Customer"),
                input.external_ref,
                lines,
                actor=info.context.actor,
                today=datetime.now(UTC).date(),
            )
        )
        if result is None:
            return OrderPayload(order=None, errors=errors)
        order, new = result
        if not new:
            errors = [
                UserError(
                    field="externalRef",
                    code=ErrorCode.ALREADY_RECORDED,
                    message="This order was submitted before; here is its decision.",
                )
            ]
        return OrderPayload(order=Order.from_doc(order), errors=errors)

    @strawberry.mutation(permission_classes=[CREDIT])
    async def release_order(self, info: Info, id: strawberry.ID, note: str) -> OrderPayload:
        return await _decide(info, id, note, release=True)

    @strawberry.mutation(permission_classes=[CREDIT])
    async def reject_order(self, info: Info, id: strawberry.ID, note: str) -> OrderPayload:
        return await _decide(info, id, note, release=False)


async def _decide(info: Info, public_id: str, note: str, *, release: bool) -> OrderPayload:
    doc, errors = await run_mutation(
        lambda: service.decide_held_order(
            info.context.runtime,
            ids.decode_oid(public_id, "Order"),
            release=release,
            note=note,
            actor=info.context.actor,
        )
    )
    return OrderPayload(order=Order.from_doc(doc) if doc else None, errors=errors)
