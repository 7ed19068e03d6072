"""The shipment check: an approved order is checked again on the day its goods leave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scoring.codes import HoldReason
from scoring.gate import OrderRequestLine, line_hold_reasons
from scoring.policy import Policy
from scoring.qualification import Certificate


@dataclass(frozen=True, slots=True)
class ShipmentCustomer:
    """The customer's facts on the shipment day."""

    blocked: bool
    max_days_overdue: int
    certificates: tuple[Certificate, ...]


@dataclass(frozen=True, slots=True)
class ShipmentDecision:
    """Release the goods, or hold them for every listed reason."""

    released: bool
    hold_reasons: tuple[HoldReason, ...]


def decide_shipment(
    lines: tuple[OrderRequestLine, ...], customer: ShipmentCustomer, as_of: date, policy: Policy
) -> ShipmentDecision:
    """Release or hold a shipment.

    Credit was reserved when the order was approved, so it is not checked again; what
    can change between order and shipment is checked: CUSTOMER_BLOCKED, OVERDUE (an
    invoice more than ``lifecycle.shipment_overdue_hold_days`` past due) and the lines'
    qualification (a licence expired or no longer covering the line since the order).

    Parameters:
        lines: the shipped lines (their class and category).
        customer: the customer's facts on ``as_of``.
        as_of: the shipment day.
        policy: the credit policy.

    Returns:
        ``ShipmentDecision``; reasons in ``HoldReason`` declaration order.
    """
    found: set[HoldReason] = set()
    if customer.blocked:
        found.add(HoldReason.CUSTOMER_BLOCKED)
    if customer.max_days_overdue > policy.lifecycle.shipment_overdue_hold_days:
        found.add(HoldReason.OVERDUE)
    for line in lines:
        found.update(line_hold_reasons(line, customer.certificates, as_of, policy))
    ordered = tuple(r for r in HoldReason if r in found)
    return ShipmentDecision(released=not ordered, hold_reasons=ordered)
