"""The order gate: approve within credit and qualification, or hold for a person.

The decision itself is ``scoring.gate``'s; this gathers the facts and, under the
customer's credit lock, reserves the credit of an approved order, so concurrent orders
can never together exceed the limit. Holds, releases and rejections are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from bson import ObjectId

from api import ids
from api.errors import MAX_AMOUNT, ErrorCode, InvalidInput, Problem, invalid
from api.events import record_event
from api.runtime import Runtime
from api.services.credit import exposure_of
from api.services.customers import require_customer
from api.services.facts import to_certificate, to_invoice
from api.store import certificates as cert_store
from api.store import ledger as ledger_store
from api.store import orders as store
from api.store.locks import credit_lock
from scoring import ledger as receivables
from scoring.codes import HoldReason, Severity
from scoring.gate import GateCustomer, OrderRequest, OrderRequestLine, decide_order

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class OrderStatus(Enum):
    APPROVED = "APPROVED"
    HELD = "HELD"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


APPROVED, HELD, REJECTED, CANCELLED = (s.value for s in OrderStatus)


@dataclass(frozen=True, slots=True)
class Line:
    sku: str
    device_class: str
    category: str
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


def _problems(external_ref: str, lines: list[Line]) -> list[Problem]:
    problems = []
    if not external_ref.strip():
        problems.append(Problem("External reference must not be empty.", ErrorCode.REQUIRED, "externalRef"))
    if not lines:
        problems.append(Problem("An order needs at least one line.", ErrorCode.REQUIRED, "lines"))
    for i, line in enumerate(lines):
        if line.quantity <= 0:
            problems.append(
                Problem(
                    f"Line {i + 1}: quantity must be more than zero.",
                    ErrorCode.INVALID,
                    f"lines.{i}.quantity",
                )
            )
        if not line.unit_price.is_finite() or line.unit_price < 0:
            problems.append(
                Problem(
                    f"Line {i + 1}: unit price must not be negative.",
                    ErrorCode.NEGATIVE_AMOUNT,
                    f"lines.{i}.unitPrice",
                )
            )
        elif line.unit_price * max(line.quantity, 1) >= MAX_AMOUNT:
            problems.append(Problem(f"Line {i + 1}: amount is too large.", ErrorCode.TOO_LARGE, f"lines.{i}.unitPrice"))
        elif line.unit_price != line.unit_price.quantize(CENT):
            problems.append(
                Problem(
                    f"Line {i + 1}: unit price must be in whole cents.",
                    ErrorCode.INVALID,
                    f"lines.{i}.unitPrice",
                )
            )
        if not line.sku.strip() or not line.category.strip():
            problems.append(
                Problem(
                    f"Line {i + 1}: SKU and category are required.",
                    ErrorCode.REQUIRED,
                    f"lines.{i}",
                )
            )
    return problems


def _same_order(existing: dict[str, Any], lines: list[Line]) -> bool:
    return [(item["sku"], item["quantity"], item["unit_price"]) for item in existing["lines"]] == [
        (item.sku, item.quantity, item.unit_price) for item in lines
    ]


async def _gate_facts(rt: Runtime, customer: dict[str, Any], today: date) -> GateCustomer:
    invoices = [to_invoice(d) for d in await ledger_store.invoices_of(rt.db, customer["_id"], open_only=True)]
    certificates = [to_certificate(d) for d in await cert_store.certificates_of(rt.db, customer["_id"])]
    return GateCustomer(
        blocked=bool(customer.get("blocked")),
        available_credit=customer.get("credit_limit", ZERO) - exposure_of(customer),
        max_days_overdue=receivables.max_days_overdue(invoices, today),
        certificates=tuple(certificates),
    )


async def submit_order(
    rt: Runtime,
    customer_id: ObjectId | None,
    external_ref: str,
    lines: list[Line],
    *,
    actor: str,
    today: date,
) -> tuple[dict[str, Any], bool]:
    """Decide an order once per external reference; returns it and whether it is new.

    Raises:
        InvalidInput: bad lines, unknown customer, or the reference reused for other lines.
    """
    problems = _problems(external_ref, lines)
    if problems:
        raise InvalidInput(*problems)
    customer = await require_customer(rt.db, customer_id)
    oid, ref = customer["_id"], external_ref.strip()
    async with credit_lock(rt.db, oid) as customer:
        existing = await store.find_by_ref(rt.db, oid, ref)
        if existing is not None:
            if not _same_order(existing, lines):
                raise invalid(
                    f"Order {ref} already exists with other lines.",
                    ErrorCode.DUPLICATE,
                    "externalRef",
                )
            return existing, False
        request = OrderRequest(
            tuple(OrderRequestLine(item.device_class, item.category.strip(), item.amount) for item in lines)
        )
        decision = decide_order(request, await _gate_facts(rt, customer, today), today, rt.policy)
        now = datetime.now(UTC)
        order = {
            "_id": ObjectId(),
            "customer_id": oid,
            "external_ref": ref,
            "ref_key": store.ref_key(oid, ref),
            "lines": [
                {
                    "sku": item.sku,
                    "device_class": item.device_class,
                    "category": item.category.strip(),
                    "quantity": item.quantity,
                    "unit_price": item.unit_price.quantize(CENT),
                }
                for item in lines
            ],
            "amount": request.amount,
            "status": APPROVED if decision.approved else HELD,
            "hold_reasons": [r.value for r in decision.hold_reasons],
            "submitted_by": actor,
            "submitted_at": now,
            "decided_by": "system:gate" if decision.approved else None,
            "decision_note": None,
            "invoiced": False,
        }
        await store.insert_order(rt.db, order)
        if decision.approved:
            await _reserve(rt, oid, request.amount)
        else:
            await _audit(rt, order, "ORDER_HELD", actor, ", ".join(order["hold_reasons"]))
    await _order_event(rt, order)
    return order, True


async def _reserve(rt: Runtime, customer_id: ObjectId, amount: Decimal) -> None:
    # Callers hold the credit lock, so read-then-set cannot lose a concurrent reservation.
    customer = await rt.db.customers.find_one({"_id": customer_id}, projection={"orders_reserved": 1})
    reserved = (customer or {}).get("orders_reserved", ZERO) + amount
    await rt.db.customers.update_one({"_id": customer_id}, {"$set": {"orders_reserved": max(reserved, ZERO)}})


async def _audit(rt: Runtime, order: dict[str, Any], action: str, actor: str, note: str | None) -> None:
    await rt.db.audit.insert_one(
        {
            "customer_id": order["customer_id"],
            "action": action,
            "actor": actor,
            "at": datetime.now(UTC),
            "detail": {
                "orderId": ids.encode_id("Order", order["_id"]),
                "externalRef": order["external_ref"],
                "amount": str(order["amount"]),
                "holdReasons": order["hold_reasons"],
                "note": note,
            },
        }
    )


_EVENT = {
    APPROVED: ("ORDER_APPROVED", Severity.INFO),
    HELD: ("ORDER_HELD", Severity.MEDIUM),
    REJECTED: ("ORDER_REJECTED", Severity.LOW),
    CANCELLED: ("ORDER_CANCELLED", Severity.INFO),
}


async def _order_event(rt: Runtime, order: dict[str, Any]) -> None:
    type_, severity = _EVENT[order["status"]]
    if HoldReason.CUSTOMER_BLOCKED.value in order["hold_reasons"] and order["status"] == HELD:
        severity = Severity.HIGH
    await record_event(
        rt.db,
        rt.redis,
        type_,
        severity,
        order["customer_id"],
        {
            "orderId": ids.encode_id("Order", order["_id"]),
            "externalRef": order["external_ref"],
            "amount": order["amount"],
            "status": order["status"],
            "holdReasons": order["hold_reasons"],
            "decidedBy": order.get("decided_by"),
        },
    )


async def decide_held_order(
    rt: Runtime, order_id: ObjectId | None, *, release: bool, note: str, actor: str
) -> dict[str, Any]:
    """A person releases (approves) or rejects a held order, with a mandatory note.

    Releasing accepts the hold reasons: the order's credit is reserved even beyond the limit.

    Raises:
        InvalidInput: empty note, unknown order, or an order that is not held.
    """
    if not note.strip():
        raise invalid("A note is required for every release or rejection.", ErrorCode.REQUIRED, "note")
    order = await store.get_order(rt.db, order_id) if order_id is not None else None
    if order is None:
        raise invalid("No order with this id.", ErrorCode.NOT_FOUND, "id")
    async with credit_lock(rt.db, order["customer_id"]):
        status = APPROVED if release else REJECTED
        decided = await store.update_order(
            rt.db,
            order["_id"],
            HELD,
            {
                "status": status,
                "decided_by": actor,
                "decision_note": note.strip(),
                "decided_at": datetime.now(UTC),
            },
        )
        if decided is None:
            current = await store.get_order(rt.db, order["_id"])
            raise invalid(
                f"The order is {current['status'] if current else 'gone'}, not held.",
                ErrorCode.INVALID_STATE,
                "id",
            )
        if release:
            await _reserve(rt, order["customer_id"], order["amount"])
        await _audit(rt, decided, "ORDER_RELEASED" if release else "ORDER_REJECTED", actor, note.strip())
    await _order_event(rt, decided)
    return decided


async def mark_invoiced(rt: Runtime, customer_id: ObjectId, external_ref: str) -> None:
    """An approved order that is now invoiced stops counting as reserved (the invoice counts).

    The caller holds the customer's credit lock.
    """
    order = await store.find_by_ref(rt.db, customer_id, external_ref)
    if order is None or order["status"] != APPROVED or order.get("invoiced"):
        return
    if await store.update_order(rt.db, order["_id"], APPROVED, {"invoiced": True}) is not None:
        await _reserve(rt, customer_id, -order["amount"])
