"""Receivables math: payment allocation, aging buckets and days beyond terms."""

from datetime import date
from decimal import Decimal as D

import pytest

from scoring import (
    AgingBuckets,
    Invoice,
    LedgerError,
    PaymentAllocation,
    UnknownInvoiceError,
    aging,
    allocate_payment,
    apply_allocations,
    days_beyond_terms,
    max_days_overdue,
)

AS_OF = date(2026, 6, 30)

# Open: A2 300.00 (due first), A1 1,000.00, A3 800.00; A4 is settled.
A1 = Invoice("A1", D("1000.00"), date(2026, 1, 1), date(2026, 1, 31))
A2 = Invoice("A2", D("500.00"), date(2025, 12, 16), date(2026, 1, 15), D("200.00"))
A3 = Invoice("A3", D("800.00"), date(2026, 1, 29), date(2026, 2, 28))
A4 = Invoice("A4", D("50.00"), date(2025, 12, 1), date(2025, 12, 31), D("50.00"), date(2026, 1, 5))
BOOK = (A1, A2, A3, A4)


@pytest.mark.parametrize(
    ("amount", "named", "expected", "credit"),
    [
        # oldest due first
        ("1200.00", None, [("A2", "300.00"), ("A1", "900.00")], "0.00"),
        # named invoice first, then oldest due
        ("1200.00", ["A3"], [("A3", "800.00"), ("A2", "300.00"), ("A1", "100.00")], "0.00"),
        # named order is kept, duplicates count once
        ("1500.00", ["A3", "A1", "A3"], [("A3", "800.00"), ("A1", "700.00")], "0.00"),
        # overpayment becomes unapplied credit
        ("2500.00", None, [("A2", "300.00"), ("A1", "1000.00"), ("A3", "800.00")], "400.00"),
        ("0.01", ["A1"], [("A1", "0.01")], "0.00"),
        ("0.00", None, [], "0.00"),
    ],
)
def test_allocate_payment(amount, named, expected, credit):
    allocations, unapplied = allocate_payment(BOOK, D(amount), named)
    assert allocations == tuple(PaymentAllocation(n, D(a)) for n, a in expected)
    assert unapplied == D(credit)


@pytest.mark.parametrize("named", [["X9"], ["A4"], ["A1", "X9"]])
def test_allocate_payment_rejects_unknown_or_settled_names(named):
    with pytest.raises(UnknownInvoiceError) as exc:
        allocate_payment(BOOK, D("10.00"), named)
    assert exc.value.numbers == tuple(n for n in named if n != "A1")


def test_allocate_payment_rejects_negative_amount():
    with pytest.raises(LedgerError):
        allocate_payment(BOOK, D("-1.00"))


def test_apply_allocations_books_payment_and_settles():
    allocations, _ = allocate_payment(BOOK, D("1200.00"))
    a1, a2, a3, a4 = apply_allocations(BOOK, allocations, date(2026, 2, 3))
    assert (a2.paid, a2.open_amount, a2.settled_on) == (D("500.00"), D("0.00"), date(2026, 2, 3))
    assert (a1.paid, a1.open_amount, a1.settled_on) == (D("900.00"), D("100.00"), None)
    assert (a3, a4) == (A3, A4)


@pytest.mark.parametrize(
    ("days_past_due", "bucket"),
    [
        (-5, "current"),
        (0, "current"),  # due today is not late yet
        (1, "d1to30"),
        (30, "d1to30"),
        (31, "d31to60"),
        (60, "d31to60"),
        (61, "d61to90"),
        (90, "d61to90"),
        (91, "over90"),
    ],
)
def test_aging_bucket_boundaries(days_past_due, bucket):
    due = date.fromordinal(AS_OF.toordinal() - days_past_due)
    inv = Invoice("X", D("1234.56"), date(2025, 1, 1), due, D("34.56"))
    buckets = aging([inv], AS_OF)
    assert getattr(buckets, bucket) == D("1200.00")
    assert buckets.total == D("1200.00")
    assert buckets.overdue == (D("0.00") if bucket == "current" else D("1200.00"))


def test_aging_sums_open_amounts_and_skips_settled():
    def inv(n, amount, paid, days):
        return Invoice(n, D(amount), date(2025, 1, 1), date.fromordinal(AS_OF.toordinal() - days), D(paid))

    book = [
        inv("a", "100.00", "0", -3),
        inv("b", "250.50", "50.25", 0),
        inv("c", "999.99", "0", 15),
        inv("d", "10.00", "10.00", 200),  # settled: ignored
        inv("e", "300.00", "0", 45),
        inv("f", "400.00", "0.01", 75),
        inv("g", "1000.00", "0", 120),
        inv("h", "0.10", "0", 91),
    ]
    assert aging(book, AS_OF) == AgingBuckets(
        current=D("300.25"),
        d1to30=D("999.99"),
        d31to60=D("300.00"),
        d61to90=D("399.99"),
        over90=D("1000.10"),
    )
    assert max_days_overdue(book, AS_OF) == 120
    assert max_days_overdue([], AS_OF) == 0


def test_days_beyond_terms_weighted_level_and_trend():
    history = [
        # previous window (2026-01-01, 2026-04-01]: 1,000 paid 10 days late, 3,000 paid early
        Invoice(
            "p1",
            D("1000.00"),
            date(2025, 12, 1),
            date(2026, 1, 10),
            D("1000.00"),
            date(2026, 1, 20),
        ),
        Invoice("p2", D("3000.00"), date(2026, 1, 2), date(2026, 2, 1), D("3000.00"), date(2026, 1, 25)),
        # recent window (2026-04-01, 2026-06-30]: 2,000 paid 20 days late
        Invoice("r1", D("2000.00"), date(2026, 4, 1), date(2026, 5, 1), D("2000.00"), date(2026, 5, 21)),
        # ignored: not settled, or settled after as_of
        Invoice("o1", D("9000.00"), date(2026, 1, 1), date(2026, 2, 1)),
        Invoice("f1", D("9000.00"), date(2026, 5, 1), date(2026, 6, 1), D("9000.00"), date(2026, 7, 15)),
    ]
    dbt = days_beyond_terms(history, AS_OF, window_days=90)
    assert dbt.dbt == pytest.approx((1000 * 10 + 3000 * 0 + 2000 * 20) / 6000)
    assert dbt.previous == pytest.approx(2.5)
    assert dbt.recent == pytest.approx(20.0)
    assert dbt.trend == pytest.approx(17.5)


def test_days_beyond_terms_without_history_is_neutral():
    dbt = days_beyond_terms([], AS_OF)
    assert (dbt.dbt, dbt.recent, dbt.previous, dbt.trend) == (0.0, None, None, 0.0)
