"""The scorecard's inputs, worked out from a customer's ledger and facts (pure).

The services load the documents and turn them into these plain values; how a ledger
becomes monthly volumes, aging and tenure is decided here, beside the scorecard that
reads them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from scoring import ledger as receivables
from scoring.policy import Policy
from scoring.qualification import Certificate, qualification_status
from scoring.scorecard import CustomerSnapshot

ZERO = Decimal("0.00")


def _months_back(today: date, n: int) -> list[tuple[int, int]]:
    """The ``n`` complete calendar months before ``today``'s month, oldest first."""
    year, month = today.year, today.month
    months = []
    for _ in range(n):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append((year, month))
    return list(reversed(months))


def monthly_volumes(invoices: Sequence[receivables.Invoice], today: date, n: int) -> tuple[Decimal, ...]:
    """Invoiced value per month over the last ``n`` complete months, oldest first.

    Months before the customer's first invoice are left out rather than counted as zero:
    a customer who started trading two months ago has two months of history, not four
    months of nothing (which would halve its recommended limit).

    Parameters:
        invoices: every invoice of the customer.
        today: the scoring day (its own month is not complete, so it is not counted).
        n: how many complete months to look back.

    Returns:
        The monthly totals, oldest first; empty without invoices.
    """
    if not invoices:
        return ()
    first = min((inv.issued_on.year, inv.issued_on.month) for inv in invoices)
    totals = {key: ZERO for key in _months_back(today, n) if key >= first}
    for inv in invoices:
        key = (inv.issued_on.year, inv.issued_on.month)
        if key in totals:
            totals[key] += inv.amount
    return tuple(totals.values())


def _number(value: Any) -> float | None:
    """A finite number from a free attribute, or None: "NaN" would poison the score."""
    try:
        number = float(value) if value is not None else None
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number is not None and math.isfinite(number) else None


def build_snapshot(
    *,
    credit_limit: Decimal,
    payment_term_days: int,
    exposure: Decimal,
    invoices: Sequence[receivables.Invoice],
    certificates: Sequence[Certificate],
    attributes: Mapping[str, Any],
    created_on: date,
    previous_score: float | None,
    today: date,
    policy: Policy,
) -> CustomerSnapshot:
    """Gather the scorecard's facts about one customer.

    Deployments may add ``returns_rate``, ``external_rating`` and ``customer_since``
    (an ISO date; else ``created_on`` counts) to a customer's free ``attributes``.

    Parameters:
        credit_limit: the limit in force.
        payment_term_days: the agreed payment term.
        exposure: open receivables plus approved orders not yet invoiced.
        invoices: every invoice of the customer.
        certificates: the customer's certificates.
        attributes: the customer's free attributes.
        created_on: the day the customer was created.
        previous_score: the last stored score, if any.
        today: the scoring day.
        policy: the credit policy.

    Returns:
        The ``CustomerSnapshot`` that ``scoring.scorecard.assess`` scores.
    """
    open_invoices = tuple(i for i in invoices if i.open_amount > 0)
    since_raw = attributes.get("customer_since")
    try:
        since = date.fromisoformat(since_raw) if isinstance(since_raw, str) else created_on
    except ValueError:
        since = created_on
    months = max(policy.limits.volume_months, 2 * policy.scorecard.volume_trend_months)
    return CustomerSnapshot(
        credit_limit=credit_limit,
        payment_term_days=payment_term_days,
        open_invoices=open_invoices,
        paid_history=tuple(i for i in invoices if i.settled_on is not None),
        aging=receivables.aging(open_invoices, today),
        exposure=exposure,
        monthly_volumes=monthly_volumes(invoices, today, months),
        returns_rate=_number(attributes.get("returns_rate")) or 0.0,
        tenure_days=max(0, (today - since).days),
        qualification=qualification_status(certificates, today, policy),
        external_rating=_number(attributes.get("external_rating")),
        previous_score=previous_score,
    )
