"""Report arithmetic: buckets, who acts on an overdue invoice, utilisation, month ends, past balances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from common.roles import Role
from scoring.policy import load_policy
from scoring.reports import (
    AgingBucket,
    PastInvoice,
    balance_at,
    bucket_for,
    month_ends,
    overdue_rung,
    trend,
    utilisation_percent,
)

POLICY = load_policy()


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-3, AgingBucket.CURRENT),
        (0, AgingBucket.CURRENT),
        (1, AgingBucket.D1TO30),
        (30, AgingBucket.D1TO30),
        (31, AgingBucket.D31TO60),
        (60, AgingBucket.D31TO60),
        (61, AgingBucket.D61TO90),
        (90, AgingBucket.D61TO90),
        (91, AgingBucket.OVER90),
    ],
)
def test_buckets(days: int, bucket: AgingBucket) -> None:
    assert bucket_for(days) is bucket


@pytest.mark.parametrize(
    ("days", "role"),
    [(0, None), (1, Role.SALES), (20, Role.SALES), (31, Role.FINANCE), (61, Role.FINANCE), (91, Role.EXECUTIVE)],
)
def test_the_overdue_ladder_names_who_acts(days: int, role: Role | None) -> None:
    rung = overdue_rung(days, POLICY)
    assert (rung.notify[0] if rung else None) is role


@pytest.mark.parametrize(
    ("limit", "exposure", "percent"),
    [
        ("100000", "13345.77", "13.35"),
        ("20000", "5999.99", "30.00"),
        ("0", "10", None),
        ("300", "1", "0.33"),
        ("100", "150", "150.00"),
    ],
)
def test_utilisation(limit: str, exposure: str, percent: str | None) -> None:
    assert utilisation_percent(D(limit), D(exposure)) == (D(percent) if percent else None)


def test_month_ends_end_with_the_day_itself() -> None:
    ends = month_ends(date(2026, 3, 15), 4)
    assert ends == [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 15)]


def test_past_balances_count_issue_payments_and_settlement() -> None:
    paid_in_two = PastInvoice(
        D("1000.00"),
        date(2026, 1, 10),
        date(2026, 2, 10),
        date(2026, 4, 5),
        ((date(2026, 3, 1), D("400.00")), (date(2026, 4, 5), D("600.00"))),
    )
    credited = PastInvoice(D("50.00"), date(2026, 2, 1), date(2026, 3, 1), date(2026, 2, 1))
    open_still = PastInvoice(D("200.00"), date(2026, 2, 20), date(2026, 3, 20), None)
    rows = trend(
        [paid_in_two, credited, open_still],
        [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)],
    )
    assert rows == [
        (date(2025, 12, 31), D("0.00"), D("0.00")),
        (date(2026, 1, 31), D("1000.00"), D("0.00")),
        (date(2026, 2, 28), D("1200.00"), D("1000.00")),
        (date(2026, 3, 31), D("800.00"), D("800.00")),
        (date(2026, 4, 30), D("200.00"), D("200.00")),
    ]
    assert balance_at([open_still], date(2026, 3, 20)) == (D("200.00"), D("0.00")), "due today is not overdue"
