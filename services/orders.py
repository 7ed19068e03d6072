"""Orders: their stored shape, a person's release or rejection, and invoicing.

Deciding a new order is ``services.gate``'s (the per-customer queue and the atomic
credit reservation); the decision itself is ``scoring.gate``'s. Holds, releases and
rejections are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bson import ObjectId

from infra import ids
from infra.events import record_events
from infra.runtime import Runtime
from scoring.codes import HoldReason, OrderStatus, Severity
from scoring.gate import GateDecision
from scoring.money import CENT
from services.errors import MAX_CODE_CHARS, ErrorCode, Problem, amount_problem, invalid
from store import audit as audit_store
from store import customers as customer_store
from store import orders as store

MAX_ORDER_LINES = 200
ZERO = Decimal("0.00")


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
        """Quantity times unit price, rounded to the cent."""
        return (self.unit_price * self.quantity).quantize(CENT)


def problems_of(external_ref: str, lines: list[Line]) -> list[Problem]:
    """Everything wrong with an order's reference and lines, as field-level problems (none when it is valid).

    With more than ``MAX_ORDER_LINES`` lines the lines themselves are not checked.
    """
    problems = []
    if not external_ref.strip():
        problems.append(Problem("External reference must not be empty.", ErrorCode.REQUIRED, "externalRef"))
    if not lines:
        problems.append(Problem("An order needs at least one line.", ErrorCode.REQUIRED, "lines"))
    if len(external_ref) > MAX_CODE_CHARS:
        problems.append(Problem(f"At most {MAX_CODE_CHARS} characters.", ErrorCode.TOO_LONG, "externalRef"))
    if len(lines) > MAX_ORDER_LINES:
        problems.append(Problem(f"An order has at most {MAX_ORDER_LINES} lines.", ErrorCode.INVALID, "lines"))
        return problems
    for i, line in enumerate(lines):
        if len(line.sku) > MAX_CODE_CHARS or len(line.category) > MAX_CODE_CHARS:
            problems.append(
                Problem(
                    f"Line {i + 1}: SKU and category have at most {MAX_CODE_CHARS} characters.",
                    ErrorCode.TOO_LONG,
                    f"lines.{i}",
                )
            )
        if line.quantity <= 0:
            problems.append(
                Problem(
                    f"Line {i + 1}: quantity must be more than zero.",
                    ErrorCode.INVALID,
                    f"lines.{i}.quantity",
                )
            )
        field = f"lines.{i}.unitPrice"
        problem = amount_problem(line.unit_price, field, label=f"Line {i + 1}: unit price", zero_allowed=True)
        if problem is None:
            # The line's amount, not only its price, must stay below the ceiling.
            amount = line.unit_price * max(line.quantity, 1)
            problem = amount_problem(amount, field, label=f"Line {i + 1}: amount", zero_allowed=True)
        if problem:
            problems.append(problem)
        if not line.sku.strip() or not line.category.strip():
            problems.append(
                Problem(
                    f"Line {i + 1}: SKU and category are required.",
                    ErrorCode.REQUIRED,
                    f"lines.{i}",
                )
            )
    return problems


def same_order(existing: dict[str, Any], lines: list[Line]) -> bool:
    """Whether the stored order has these lines (SKU, quantity, unit price, in order): a resubmission, not a clash."""
    return [(item["sku"], item["quantity"], item["unit_price"]) for item in existing["lines"]] == [
        (item.sku, item.quantity, item.unit_price) for item in lines
    ]


def order_document(
    customer_id: ObjectId, ref: str, lines: list[Line], amount: Decimal, decision: GateDecision, actor: str
) -> dict[str, Any]:
    """The stored order for a gate decision."""
    return {
        "_id": ObjectId(),
        "customer_id": customer_id,
        "external_ref": ref,
        "ref_key": store.ref_key(customer_id, ref),
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
        "amount": amount,
        "status": APPROVED if decision.approved else HELD,
        "hold_reasons": [r.value for r in decision.hold_reasons],
        "submitted_by": actor,
        "submitted_at": datetime.now(UTC),
        "decided_by": "system:gate" if decision.approved else None,
        "decision_note": None,
        "invoiced": False,
    }


def audit_row(order: dict[str, Any], action: str, actor: str, note: str | None) -> dict[str, Any]:
    """The audit row of ``action`` on the order by ``actor``: its reference, amount, hold reasons and ``note``."""
    return audit_store.entry(
        order["customer_id"],
        action,
        actor,
        {
            "orderId": ids.encode_id("Order", order["_id"]),
            "externalRef": order["external_ref"],
            "amount": str(order["amount"]),
            "holdReasons": order["hold_reasons"],
            "note": note,
        },
    )


_EVENT = {
    APPROVED: ("ORDER_APPROVED", Severity.INFO),
    HELD: ("ORDER_HELD", Severity.MEDIUM),
    REJECTED: ("ORDER_REJECTED", Severity.LOW),
    CANCELLED: ("ORDER_CANCELLED", Severity.INFO),
}


def order_event(order: dict[str, Any]) -> tuple[str, Severity, ObjectId, dict[str, Any]]:
    """The risk event a decided order raises: type, severity, customer, payload."""
    type_, severity = _EVENT[order["status"]]
    if HoldReason.CUSTOMER_BLOCKED.value in order["hold_reasons"] and order["status"] == HELD:
        severity = Severity.HIGH
    return (
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


async def _order_event(rt: Runtime, order: dict[str, Any]) -> None:
    await record_events(rt.db, rt.redis, [order_event(order)])


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
    # The status change is atomic (only a HELD order changes), so two people deciding at
    # once reserve its credit at most once; no lock is needed.
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
        await customer_store.change_reserved(rt.db, order["customer_id"], order["amount"])
    await rt.audit.write(audit_row(decided, "ORDER_RELEASED" if release else "ORDER_REJECTED", actor, note.strip()))
    await _order_event(rt, decided)
    return decided


async def mark_invoiced(rt: Runtime, customer_id: ObjectId, external_ref: str) -> None:
    """An approved order that is now invoiced stops counting as reserved (the invoice counts).

    The caller holds the customer's credit lock.
    """
    order = await store.find_by_ref(rt.db, customer_id, external_ref)
    if order is None or order["status"] != APPROVED or order.get("invoiced"):
        return
    # The order is marked first: a crash in between leaves its credit reserved (too
    # cautious), never released twice (too generous).
    if await store.update_order(rt.db, order["_id"], APPROVED, {"invoiced": True}) is not None:
        await customer_store.change_reserved(rt.db, customer_id, -order["amount"])
