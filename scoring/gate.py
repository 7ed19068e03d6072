"""The order gate: approve an order or hold it, listing every reason that applies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from scoring.codes import HoldReason
from scoring.ledger import ZERO
from scoring.onboarding import lines_held_for_onboarding
from scoring.policy import Policy
from scoring.qualification import (
    Certificate,
    covers_class,
    covers_line,
    is_expired,
    is_in_force,
)


@dataclass(frozen=True, slots=True)
class OrderRequestLine:
    """One order line as the gate needs it; ``device_class`` is ``"I"``, ``"II"`` or ``"III"``."""

    device_class: str
    category: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """An order to be gated."""

    lines: tuple[OrderRequestLine, ...]
    # Paid in advance (a received prepayment came with the order): no credit is extended.
    prepaid: bool = False

    @property
    def amount(self) -> Decimal:
        """Order total."""
        return sum((line.amount for line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class GateCustomer:
    """Customer facts the gate needs.

    ``available_credit`` is limit - exposure *before* this order; ``max_days_overdue`` is
    ``ledger.max_days_overdue(open_invoices, as_of)``; ``onboarding_approved`` is whether
    the onboarding status is APPROVED (``scoring.onboarding``).
    """

    blocked: bool
    available_credit: Decimal
    max_days_overdue: int
    certificates: tuple[Certificate, ...]
    # Credit left in the customer's group (related parties) before this order; None
    # when the customer is in no group or the group has no limit of its own.
    group_available_credit: Decimal | None = None
    # The policy's response to a low grade or severe warning (scoring.responses).
    prepayment_required: bool = False
    # False while the customer's onboarding file is not APPROVED (scoring.onboarding).
    onboarding_approved: bool = True


@dataclass(frozen=True, slots=True)
class GateDecision:
    """The gate's verdict; ``line_reasons[i]`` are the qualification reasons of line i."""

    approved: bool
    hold_reasons: tuple[HoldReason, ...]
    line_reasons: tuple[tuple[HoldReason, ...], ...] = ()


def line_hold_reasons(
    line: OrderRequestLine,
    certificates: tuple[Certificate, ...],
    as_of: date,
    policy: Policy,
) -> tuple[HoldReason, ...]:
    """Qualification reasons that stop one line (empty when it may be sold).

    Class I needs nothing. Otherwise an in-force certificate covering class and scope
    clears the line. If none does, the line reports every fact that applies:
    QUALIFICATION_EXPIRED when an expired certificate would have covered it,
    SCOPE_NOT_COVERED when an in-force certificate of a suitable type lacks the category,
    and QUALIFICATION_MISSING when neither is true.

    Parameters:
        line: the order line.
        certificates: the customer's certificates.
        as_of: the day of the decision.
        policy: the credit policy (``[gate]``).

    Returns:
        Reasons in ``HoldReason`` declaration order.
    """
    if line.device_class in policy.gate.licence_free_classes:
        return ()
    expired = scope_missing = False
    for cert in certificates:
        if is_in_force(cert, as_of, policy):
            if covers_line(cert, line.device_class, line.category, policy):
                return ()
            if covers_class(cert, line.device_class, policy):
                scope_missing = True
        elif is_expired(cert, as_of, policy) and covers_line(cert, line.device_class, line.category, policy):
            expired = True
    reasons: list[HoldReason] = []
    if expired:
        reasons.append(HoldReason.QUALIFICATION_EXPIRED)
    if scope_missing:
        reasons.append(HoldReason.SCOPE_NOT_COVERED)
    if not reasons:
        reasons.append(HoldReason.QUALIFICATION_MISSING)
    return tuple(r for r in HoldReason if r in reasons)


def decide_order(order: OrderRequest, customer: GateCustomer, as_of: date, policy: Policy) -> GateDecision:
    """Approve or hold an order, listing every hold reason.

    CUSTOMER_BLOCKED when the customer is blocked; CREDIT_LIMIT when the order total
    exceeds available credit; GROUP_LIMIT when it exceeds the credit left in the
    customer's group; OVERDUE when an invoice is more than
    ``gate.overdue_block_days`` past due; ONBOARDING_INCOMPLETE when the onboarding is
    not approved and a line's class is not exempt (``[onboarding]``); and the union of
    the lines' qualification reasons (see :func:`line_hold_reasons`). PREPAYMENT_REQUIRED
    when the customer must pay in advance and the order is not prepaid; a prepaid order
    extends no credit, so the credit reasons (blocked, limit, overdue) do not apply to
    it, only qualification.

    Parameters:
        order: the order lines.
        customer: the customer's gate facts.
        as_of: the day of the decision.
        policy: the credit policy.

    Returns:
        ``GateDecision``; reasons in ``HoldReason`` declaration order, without duplicates.
    """
    found: set[HoldReason] = set()
    on_credit = not order.prepaid
    if customer.blocked and on_credit:
        found.add(HoldReason.CUSTOMER_BLOCKED)
    if order.amount > customer.available_credit and on_credit:
        found.add(HoldReason.CREDIT_LIMIT)
    if customer.group_available_credit is not None and order.amount > customer.group_available_credit and on_credit:
        found.add(HoldReason.GROUP_LIMIT)
    if customer.max_days_overdue > policy.gate.overdue_block_days and on_credit:
        found.add(HoldReason.OVERDUE)
    if customer.prepayment_required and on_credit:
        found.add(HoldReason.PREPAYMENT_REQUIRED)
    if lines_held_for_onboarding([line.device_class for line in order.lines], customer.onboarding_approved, policy):
        found.add(HoldReason.ONBOARDING_INCOMPLETE)
    per_line = tuple(line_hold_reasons(line, customer.certificates, as_of, policy) for line in order.lines)
    for reasons in per_line:
        found.update(reasons)
    ordered = tuple(r for r in HoldReason if r in found)
    return GateDecision(approved=not ordered, hold_reasons=ordered, line_reasons=per_line)
