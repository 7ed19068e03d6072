"""Report arithmetic: aging bucket and the role that acts on an overdue invoice, utilisation,
and a customer's receivables as they stood at the end of past months (the trend)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from scoring.ledger import ZERO
from scoring.policy import Policy, WarningRung


class AgingBucket(Enum):
    """An open amount's age past its due date (账龄); names are the GraphQL names."""

    CURRENT = "CURRENT"
    D1TO30 = "D1TO30"
    D31TO60 = "D31TO60"
    D61TO90 = "D61TO90"
    OVER90 = "OVER90"


def bucket_for(days_overdue: int) -> AgingBucket:
    """The aging bucket of an amount ``days_overdue`` past due (0 or less: not yet due)."""
    if days_overdue <= 0:
        return AgingBucket.CURRENT
    if days_overdue <= 30:
        return AgingBucket.D1TO30
    if days_overdue <= 60:
        return AgingBucket.D31TO60
    if days_overdue <= 90:
        return AgingBucket.D61TO90
    return AgingBucket.OVER90


def overdue_rung(days_overdue: int, policy: Policy) -> WarningRung | None:
    """The overdue ladder's rung for an invoice this late (None when no rung is reached).

    Its ``notify`` roles, first one foremost, are who must act on the invoice: sales for
    a reminder, finance for a collection, executives for a severe overdue.
    """
    reached = None
    for rung in policy.warnings.overdue:  # ascending `at`
        if days_overdue >= rung.at:
            reached = rung
    return reached


PERCENT = Decimal("0.01")


def utilisation_percent(limit: Decimal, exposure: Decimal) -> Decimal | None:
    """Exposure as a percentage of the limit, to two places; None when there is no limit."""
    if limit <= 0:
        return None
    return (exposure * 100 / limit).quantize(PERCENT, rounding=ROUND_HALF_UP)


def month_ends(as_of: date, months: int) -> list[date]:
    """The last day of each of the ``months`` months ending with ``as_of``'s month, oldest first;
    the current month's point is ``as_of`` itself (the month is not over)."""
    ends: list[date] = []
    year, month = as_of.year, as_of.month
    for _ in range(months):
        first_of_next = date(year + (month == 12), month % 12 + 1, 1)
        ends.append(min(first_of_next - timedelta(days=1), as_of))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(ends))


@dataclass(frozen=True, slots=True)
class PastInvoice:
    """An invoice with its settlement history: payments as (day received, amount applied)."""

    amount: Decimal
    issued_on: date
    due_on: date
    settled_on: date | None
    payments: tuple[tuple[date, Decimal], ...] = ()


def balance_at(invoices: Iterable[PastInvoice], day: date) -> tuple[Decimal, Decimal]:
    """Open and overdue receivables as they stood at the end of ``day``.

    An invoice counts once issued; payments count from the day received; a settlement
    day counts the invoice as paid in full (credit applied from an advance payment
    leaves no dated payment, only the settlement).

    Returns:
        ``(open, overdue)``.
    """
    open_total = overdue = ZERO
    for inv in invoices:
        if inv.issued_on > day or (inv.settled_on is not None and inv.settled_on <= day):
            continue
        paid = sum((amount for received, amount in inv.payments if received <= day), ZERO)
        left = inv.amount - min(paid, inv.amount)
        if left <= 0:
            continue
        open_total += left
        if inv.due_on < day:
            overdue += left
    return open_total, overdue


def trend(invoices: Sequence[PastInvoice], points: Sequence[date]) -> list[tuple[date, Decimal, Decimal]]:
    """``balance_at`` for each day of ``points``: ``(day, open, overdue)``."""
    return [(day, *balance_at(invoices, day)) for day in points]
