"""Pure receivables arithmetic: payment allocation, aging buckets and days beyond terms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from scoring.errors import LedgerError, UnknownInvoiceError

ZERO = Decimal("0.00")
# The payment term of a customer with none agreed: sixty days, the trade's usual term.
DEFAULT_PAYMENT_TERM_DAYS = 60
# Longer terms are typing mistakes (a year is already far beyond any hospital's).
MAX_PAYMENT_TERM_DAYS = 365


@dataclass(frozen=True, slots=True)
class Invoice:
    """One receivable: what was billed, when it is due, and how much has been paid.

    ``settled_on`` is the day the invoice became fully paid (None while any amount is
    open); days-beyond-terms needs it.
    """

    number: str
    amount: Decimal
    issued_on: date
    due_on: date
    paid: Decimal = ZERO
    settled_on: date | None = None

    @property
    def open_amount(self) -> Decimal:
        """Amount still owed (``amount - paid``)."""
        return self.amount - self.paid

    def days_past_due(self, as_of: date) -> int:
        """Days after the due date on ``as_of``; zero or negative means not yet due."""
        return (as_of - self.due_on).days


@dataclass(frozen=True, slots=True)
class PaymentAllocation:
    """The part of a payment applied to one invoice."""

    invoice_number: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AgingBuckets:
    """Open receivables by days past due (账龄); ``current`` is not yet due."""

    current: Decimal = ZERO
    d1to30: Decimal = ZERO
    d31to60: Decimal = ZERO
    d61to90: Decimal = ZERO
    over90: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        """All open receivables."""
        return self.current + self.d1to30 + self.d31to60 + self.d61to90 + self.over90

    @property
    def overdue(self) -> Decimal:
        """Open receivables past their due date."""
        return self.d1to30 + self.d31to60 + self.d61to90 + self.over90


@dataclass(frozen=True, slots=True)
class DbtSummary:
    """Days beyond terms: overall level plus recent and previous windows.

    ``trend`` is ``recent - previous`` in days (positive = paying later than before);
    it is 0.0 when either window has no settled invoice, because a trend needs two points.
    """

    dbt: float
    recent: float | None
    previous: float | None
    trend: float


def allocate_payment(
    open_invoices: Sequence[Invoice],
    amount: Decimal,
    named_numbers: Sequence[str] | None = None,
) -> tuple[tuple[PaymentAllocation, ...], Decimal]:
    """Split a customer payment over open invoices.

    The invoices the customer named on the remittance are paid first, in the order
    named; the rest goes to the oldest due date first (then issue date, then number),
    which is the usual rule when the remittance says nothing. Whatever is left is an
    unapplied credit on the customer's account.

    Parameters:
        open_invoices: the customer's invoices; settled ones (open amount 0) are skipped.
        amount: the payment received, >= 0.
        named_numbers: invoice numbers named by the payer, in priority order.

    Raises:
        LedgerError: the amount is negative.
        UnknownInvoiceError: a named number is not among the open invoices.

    Returns:
        ``(allocations, unapplied_credit)``; allocations in the order they were applied.
    """
    if amount < 0:
        raise LedgerError(f"payment amount must not be negative: {amount}")
    open_by_number = {inv.number: inv for inv in open_invoices if inv.open_amount > 0}
    named: list[str] = []
    for number in named_numbers or ():
        if number not in named:
            named.append(number)
    unknown = tuple(n for n in named if n not in open_by_number)
    if unknown:
        raise UnknownInvoiceError(unknown)
    named_set = set(named)
    rest = sorted(
        (inv for inv in open_by_number.values() if inv.number not in named_set),
        key=lambda inv: (inv.due_on, inv.issued_on, inv.number),
    )
    order = [open_by_number[n] for n in named] + rest

    allocations: list[PaymentAllocation] = []
    remaining = amount
    for inv in order:
        if remaining <= 0:
            break
        applied = min(remaining, inv.open_amount)
        allocations.append(PaymentAllocation(inv.number, applied))
        remaining -= applied
    return tuple(allocations), remaining


def apply_allocations(
    invoices: Sequence[Invoice],
    allocations: Iterable[PaymentAllocation],
    paid_on: date,
) -> tuple[Invoice, ...]:
    """Return the invoices with the allocations booked; fully paid ones get ``settled_on``.

    Parameters:
        invoices: the invoices the allocations refer to.
        allocations: output of :func:`allocate_payment`.
        paid_on: value date of the payment.

    Returns:
        The same invoices, in the same order, updated.
    """
    by_number: dict[str, Decimal] = {}
    for alloc in allocations:
        by_number[alloc.invoice_number] = by_number.get(alloc.invoice_number, ZERO) + alloc.amount
    updated: list[Invoice] = []
    for inv in invoices:
        extra = by_number.get(inv.number)
        if extra is None:
            updated.append(inv)
            continue
        paid = inv.paid + extra
        settled = paid_on if paid >= inv.amount else None
        updated.append(replace(inv, paid=paid, settled_on=settled))
    return tuple(updated)


def aging(invoices: Iterable[Invoice], as_of: date) -> AgingBuckets:
    """Bucket open amounts by days past due on ``as_of``.

    Parameters:
        invoices: any invoices; those with nothing open are ignored.
        as_of: the reporting day.

    Returns:
        ``AgingBuckets``: current (not yet due, incl. due today), 1-30, 31-60, 61-90, over 90.
    """
    return aging_of_items(((inv.due_on, inv.amount - inv.paid) for inv in invoices), as_of)


def aging_of_items(items: Iterable[tuple[date, Decimal]], as_of: date) -> AgingBuckets:
    """``aging`` from (due day, open amount) pairs, as a customer's stored open items hold them.

    Parameters:
        items: due day and open amount of each invoice; amounts of zero or less are ignored.
        as_of: the reporting day.

    Returns:
        The same buckets ``aging`` returns for the invoices the items describe.
    """
    current = d30 = d60 = d90 = over = ZERO
    for due_on, open_amount in items:
        if open_amount <= 0:
            continue
        days = (as_of - due_on).days
        if days <= 0:
            current += open_amount
        elif days <= 30:
            d30 += open_amount
        elif days <= 60:
            d60 += open_amount
        elif days <= 90:
            d90 += open_amount
        else:
            over += open_amount
    return AgingBuckets(current, d30, d60, d90, over)


def max_days_overdue(invoices: Iterable[Invoice], as_of: date) -> int:
    """Age in days of the oldest overdue open amount on ``as_of`` (0 when nothing is overdue).

    Parameters:
        invoices: any invoices; settled ones are ignored.
        as_of: the reporting day.

    Returns:
        The largest ``as_of - due_on`` over invoices with an open amount, floored at 0.
    """
    worst = 0
    for inv in invoices:
        if inv.amount - inv.paid > 0:
            days = (as_of - inv.due_on).days
            if days > worst:
                worst = days
    return worst


def days_beyond_terms(
    paid_history: Iterable[Invoice],
    as_of: date,
    window_days: int = 90,
) -> DbtSummary:
    """Average days paid late, weighted by invoice amount, and its trend.

    Only settled invoices (``settled_on`` set, on or before ``as_of``) count. Paying
    early counts as 0 days, not negative: an early payer should not offset late ones.
    The recent window is settlements in ``(as_of - window, as_of]``, the previous window
    the ``window_days`` before that.

    Parameters:
        paid_history: invoices, settled or not; unsettled ones are ignored.
        as_of: the reporting day.
        window_days: length of each trend window in days.

    Returns:
        ``DbtSummary``; ``dbt`` is 0.0 with no settled history.
    """
    recent_start = as_of - timedelta(days=window_days)
    previous_start = recent_start - timedelta(days=window_days)
    total_w = total_wd = 0.0
    rec_w = rec_wd = 0.0
    prev_w = prev_wd = 0.0
    for inv in paid_history:
        settled = inv.settled_on
        if settled is None or settled > as_of:
            continue
        late = (settled - inv.due_on).days
        if late < 0:
            late = 0
        # Float weights are fine here: DBT is a behavioural measure, not money.
        weight = float(inv.amount)
        total_w += weight
        total_wd += weight * late
        if settled > recent_start:
            rec_w += weight
            rec_wd += weight * late
        elif settled > previous_start:
            prev_w += weight
            prev_wd += weight * late
    dbt = total_wd / total_w if total_w > 0 else 0.0
    recent = rec_wd / rec_w if rec_w > 0 else None
    previous = prev_wd / prev_w if prev_w > 0 else None
    trend = recent - previous if recent is not None and previous is not None else 0.0
    return DbtSummary(dbt=dbt, recent=recent, previous=previous, trend=trend)
