"""Scorecard: factor values, contributions, grades and recommended limits."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from scoring import (
    CustomerSnapshot,
    Invoice,
    QualificationStatus,
    RiskGrade,
    aging,
    assess,
    grade_for,
    load_policy,
    recommend_limit,
)

POLICY = load_policy()
AS_OF = date(2026, 6, 30)

OPEN = (
    Invoice("o1", D("4000.00"), date(2026, 5, 11), date(2026, 6, 10)),  # 20 days overdue
    Invoice("o2", D("6000.00"), date(2026, 6, 15), date(2026, 7, 15)),  # current
)
PAID = (
    Invoice("p1", D("10000.00"), date(2026, 4, 1), date(2026, 5, 1), D("10000.00"), date(2026, 5, 16)),
)  # 15 days late

# Every factor's sub-score is easy to check by hand (see test_hand_checked_scorecard).
BASE = CustomerSnapshot(
    credit_limit=D("50000.00"),
    payment_term_days=30,
    open_invoices=OPEN,
    paid_history=PAID,
    aging=aging(OPEN, AS_OF),
    exposure=D("20000.00"),
    monthly_volumes=tuple(D(v) for v in ("10000", "10000", "10000", "8000", "8000", "8000")),
    returns_rate=0.02,
    tenure_days=730,
    qualification=QualificationStatus.VALID,
    external_rating=60.0,
)


def _contributions(assessment):
    return {f.name: f.contribution for f in assessment.factors}


def test_hand_checked_scorecard():
    result = assess(BASE, POLICY, AS_OF)
    assert _contributions(result) == {
        "dbt_level": 15.0,  # 20 x (60-15)/60
        "dbt_trend": 6.67,  # 10 x (20-0)/30: one window only -> trend 0
        "overdue_share": 3.0,  # 15 x (0.5-0.4)/0.5
        "largest_overdue_days": 8.33,  # 10 x (120-20)/120
        "utilisation": 10.0,  # 0.4 is better than 0.6: full points
        "volume_trend": 3.0,  # 5 x (-0.2+0.5)/0.5
        "returns_rate": 5.0,
        "tenure_days": 3.33,  # 5 x 730/1095
        "qualification": 10.0,
        "external_rating": 5.0,  # 10 x (60-30)/60
    }
    values = {f.name: f.value for f in result.factors}
    assert values["dbt_level"] == 15.0
    assert values["overdue_share"] == pytest.approx(0.4)
    assert values["largest_overdue_days"] == 20.0
    assert values["volume_trend"] == pytest.approx(-0.2)
    assert result.score == 69.33
    assert result.grade is RiskGrade.B
    # mean 9,000/month x 1.0 x 60/30
    assert result.recommended_limit == D("18000.00")
    assert result.recommended_terms_days == 60
    assert result.policy_version == "2026-11-2"
    assert result.score_change is None


def test_contributions_sum_to_score():
    for snapshot in (BASE, replace(BASE, external_rating=None), replace(BASE, paid_history=())):
        result = assess(snapshot, POLICY, AS_OF)
        assert sum(f.contribution for f in result.factors) == pytest.approx(result.score, abs=1e-9)
        assert 0 <= result.score <= 100


def test_missing_external_rating_redistributes_its_weight():
    result = assess(replace(BASE, external_rating=None), POLICY, AS_OF)
    assert "external_rating" not in _contributions(result)
    assert sum(f.weight for f in result.factors) == pytest.approx(100)
    assert {f.name: f.weight for f in result.factors}["dbt_level"] == pytest.approx(200 / 9)
    assert result.score == 71.48


def test_score_change_against_previous_score():
    assert assess(replace(BASE, previous_score=80.0), POLICY, AS_OF).score_change == -10.67


def _customer(lateness_days: int, overdue_days: int = 0, overdue_amount: str = "0") -> CustomerSnapshot:
    """Twelve monthly invoices of 50,000 paid `lateness_days` late, same volume for all."""
    paid = tuple(
        Invoice(
            f"p{m}",
            D("50000.00"),
            AS_OF - timedelta(days=30 * m + 60),
            AS_OF - timedelta(days=30 * m + 30),
            D("50000.00"),
            AS_OF - timedelta(days=30 * m + 30 - lateness_days),
        )
        for m in range(1, 13)
        if 30 * m + 30 - lateness_days > 0
    )
    open_ = [Invoice("cur", D("50000.00"), AS_OF - timedelta(days=5), AS_OF + timedelta(days=25))]
    if overdue_days:
        open_.append(
            Invoice(
                "late",
                D(overdue_amount),
                AS_OF - timedelta(days=overdue_days + 30),
                AS_OF - timedelta(days=overdue_days),
            )
        )
    buckets = aging(open_, AS_OF)
    return CustomerSnapshot(
        credit_limit=D("150000.00"),
        payment_term_days=30,
        open_invoices=tuple(open_),
        paid_history=paid,
        aging=buckets,
        exposure=buckets.total,
        monthly_volumes=(D("50000"),) * 12,
        returns_rate=0.01,
        tenure_days=1500,
        qualification=QualificationStatus.VALID,
    )


def test_prompt_payer_outscores_chronic_late_payer_with_same_volume():
    prompt = assess(_customer(lateness_days=0), POLICY, AS_OF)
    late = assess(_customer(lateness_days=45, overdue_days=40, overdue_amount="50000"), POLICY, AS_OF)
    assert prompt.score > late.score + 20
    assert prompt.grade.rank < late.grade.rank
    assert prompt.recommended_limit > late.recommended_limit
    assert prompt.grade is RiskGrade.A
    # 50,000 x 1.2 x 90/30
    assert prompt.recommended_limit == D("180000.00")


def test_growing_overdue_lowers_grade_and_limit():
    steps = [
        assess(_customer(5, days, amount), POLICY, AS_OF)
        for days, amount in [(0, "0"), (20, "20000"), (50, "60000"), (100, "150000")]
    ]
    scores = [a.score for a in steps]
    assert scores == sorted(scores, reverse=True)
    assert [a.grade.rank for a in steps] == sorted(a.grade.rank for a in steps)
    assert steps[0].grade.rank < steps[-1].grade.rank
    limits = [a.recommended_limit for a in steps]
    assert limits == sorted(limits, reverse=True)
    assert limits[0] > limits[-1]


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100, "A"),
        (80, "A"),
        (79.99, "B"),
        (65, "B"),
        (64.99, "C"),
        (50, "C"),
        (35, "D"),
        (34.99, "E"),
        (0, "E"),
    ],
)
def test_grade_bands(score, grade):
    assert grade_for(score, POLICY) is RiskGrade[grade]


@pytest.mark.parametrize(
    ("volumes", "grade", "limit"),
    [
        (["100000"] * 6, "A", "360000.00"),  # x 1.2 x 90/30
        (["100000"] * 6, "B", "200000.00"),  # x 1.0 x 60/30
        (["100000"] * 6, "C", "120000.00"),  # x 0.8 x 45/30
        (["100000"] * 6, "D", "50000.00"),  # x 0.5 x 30/30
        (["100000"] * 6, "E", "0.00"),  # prepayment only
        (["123456.78"] * 6, "B", "246000.00"),  # 246,913.56 rounded down to the 1,000 step
        (["999999"] + ["0"] * 6, "A", "0.00"),  # only the last 6 months count
        (["50000", "150000"], "B", "200000.00"),  # short history: mean of what there is
        ([], "A", "0.00"),
        (["3000000"] * 6, "A", "5000000.00"),  # capped at limits.maximum
    ],
)
def test_recommend_limit(volumes, grade, limit):
    result = recommend_limit(tuple(D(v) for v in volumes), RiskGrade[grade], POLICY)
    assert result == D(limit)
    assert str(result) == limit


@pytest.mark.parametrize(
    ("status", "points"),
    [("VALID", 10.0), ("EXPIRING", 6.0), ("EXPIRED", 0.0), ("MISSING", 0.0)],
)
def test_qualification_factor(status, points):
    result = assess(replace(BASE, qualification=QualificationStatus[status]), POLICY, AS_OF)
    assert _contributions(result)["qualification"] == points


def test_zero_limit_with_exposure_counts_as_over_limit():
    result = assess(replace(BASE, credit_limit=D("0")), POLICY, AS_OF)
    assert _contributions(result)["utilisation"] == 0.0
    empty = replace(BASE, credit_limit=D("0"), exposure=D("0"))
    assert _contributions(assess(empty, POLICY, AS_OF))["utilisation"] == 10.0
