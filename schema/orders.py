"""Orders: ``submitOrder`` through the gate, and a person's ``releaseOrder`` / ``rejectOrder``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from bson import ObjectId
from strawberry.types import Info

from infra import ids
from schema.enums import DeviceClass, HoldReason, OrderStatus
from schema.errors import UserError, run_mutation, user_error
from schema.node import Node
from schema.pagination import (
    DEFAULT_PAGE,
    Connection,
    OrderDirection,
    connection_from,
    filtered_customer,
    ordering_for,
    window_for,
)
from schema.permissions import CREDIT, SALES, IsAuthenticated
from services import gate
from services import orders as service
from services.errors import ErrorCode, Problem
from store import orders as store

if TYPE_CHECKING:
    from schema.customers import Customer


@strawberry.type
class OrderLine:
    sku: str
    device_class: DeviceClass
    category: str
    quantity: int
    unit_price: Decimal
    remaining_quantity: int = strawberry.field(description="Not yet claimed by a shipment (held ones included).")


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
                remaining_quantity=item["quantity"] - shipped,
            )
            for item, shipped in zip(
                self.doc["lines"], self.doc.get("shipped_qty") or [0] * len(self.doc["lines"]), strict=True
            )
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
    prepayment_reference: str | None = strawberry.field(
        default=None,
        description="The reference of a prepayment received for this order's total: it is recorded as a "
        "payment and the order needs no credit (PREPAYMENT_REQUIRED customers).",
    )


@strawberry.type
class OrderPayload:
    order: Order | None
    errors: list[UserError]


async def load_order(info: Info, public_id: str) -> Order | None:
    oid = ids.decode_oid(public_id, "Order")
    doc = await store.get_order(info.context.db, oid) if oid else None
    return Order.from_doc(doc) if doc else None


@strawberry.enum(description="What `orders` can be sorted by.")
class OrderOrderField(Enum):
    SUBMITTED_AT = strawberry.enum_value("submitted_at", description="When the order was submitted (the default).")
    AMOUNT = strawberry.enum_value("amount", description="The order's total amount.")
    EXTERNAL_REF = strawberry.enum_value("external_ref", description="The seller's order reference.")


@strawberry.input(description="How to sort orders; newest first unless told otherwise.")
class OrderOrder:
    field: OrderOrderField = OrderOrderField.SUBMITTED_AT
    direction: OrderDirection = OrderDirection.DESC


@strawberry.input(description="Which orders to list; every given condition must hold.")
class OrderFilter:
    customer_id: strawberry.ID | None = None
    status: list[OrderStatus] | None = strawberry.field(default=None, description="Any of these statuses.")
    submitted_from: date | None = strawberry.field(default=None, description="Submitted on or after this UTC day.")
    submitted_to: date | None = strawberry.field(default=None, description="Submitted on or before this UTC day.")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def orders_page(
    info: Info,
    customer_oid: ObjectId | None,
    filter: OrderFilter | None,
    order_by: OrderOrder | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Order]:
    f = filter or OrderFilter()
    o = order_by or OrderOrder()
    name, sort = ordering_for("orders", o.field, o.direction)
    window = window_for(name, first, after, last, before)
    query = store.OrderQuery(
        customer_id=customer_oid,
        statuses=tuple(s.value for s in f.status) if f.status is not None else None,
        submitted_from=_day_start(f.submitted_from) if f.submitted_from else None,
        submitted_before=_day_start(f.submitted_to + timedelta(days=1)) if f.submitted_to else None,
    )
    page = await store.page_orders(info.context.db, query, sort, window, DEFAULT_PAGE)
    return connection_from(page, name, sort, Order.from_doc)


@strawberry.type
class OrderQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        return await load_order(info, id)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Orders, newest first by default; filter by customer, status and submission day.",
    )
    async def orders(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: OrderFilter | None = None,
        order_by: OrderOrder | None = None,
    ) -> Connection[Order]:
        return await orders_page(info, filtered_customer(filter), filter, order_by, first, after, last, before)


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
                prepayment_reference=input.prepayment_reference,
            )
        )
        if result is None:
            return OrderPayload(order=None, errors=errors)
        order, new = result
        if not new:
            errors = [
                user_error(
                    Problem(
                        "This order was submitted before; here is its decision.",
                        ErrorCode.ALREADY_RECORDED,
                        "externalRef",
                    )
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
