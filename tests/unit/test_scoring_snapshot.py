"""The scorecard's inputs from a ledger: monthly volumes, tenure, open and settled invoices."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from scoring.ledger import Invoice
from scoring.policy import load_policy
from scoring.snapshot import build_snapshot, monthly_volumes

TODAY = date(2026, 11, 23)
POLICY = load_policy()


def _invoice(n: int, issued: date, amount: str, paid: str = "0") -> Invoice:
    settled = issued + timedelta(days=30) if D(paid) >= D(amount) else None
    return Invoice(str(n), D(amount), issued, issued + timedelta(days=60), D(paid), settled)


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        # Two complete months of trading: two months of history, not six with four empty.
        ([date(2026, 9, 3), date(2026, 10, 20), date(2026, 10, 21)], ("100", "200")),
        # Trading since long ago: every month of the window, empty ones as zero.
        ([date(2025, 1, 5), date(2026, 6, 1), date(2026, 10, 31)], ("100", "0", "0", "0", "100")),
        # This month is not complete and does not count.
        ([date(2026, 11, 2)], ()),
    ],
)
def test_monthly_volumes_start_at_the_first_invoice(issued: list[date], expected: tuple[str, ...]) -> None:
    invoices = [_invoice(i, day, "100") for i, day in enumerate(issued)]
    assert monthly_volumes(invoices, TODAY, 5) == tuple(D(v) for v in expected)


def test_a_snapshot_splits_the_ledger_and_ignores_unusable_attributes() -> None:
    invoices = [_invoice(1, date(2026, 8, 1), "500", "500"), _invoice(2, date(2026, 10, 1), "300", "100")]
    snapshot = build_snapshot(
        credit_limit=D("10000.00"),
        payment_term_days=60,
        exposure=D("200.00"),
        invoices=invoices,
        certificates=[],
        attributes={"returns_rate": "NaN", "external_rating": "0.8", "customer_since": "not a date"},
        created_on=date(2024, 11, 23),
        previous_score=None,
        today=TODAY,
        policy=POLICY,
    )
    assert [i.number for i in snapshot.open_invoices] == ["2"]
    assert [i.number for i in snapshot.paid_history] == ["1"]
    assert snapshot.aging.total == D("200")
    assert snapshot.returns_rate == 0.0 and snapshot.external_rating == 0.8
    assert snapshot.tenure_days == (TODAY - date(2024, 11, 23)).days  # a bad customer_since falls back
