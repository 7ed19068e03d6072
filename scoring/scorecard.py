"""The transparent scorecard: customer facts -> score, grade, recommended limit and terms.

How the score is built
----------------------
Each factor in the policy has a weight in points (weights sum to 100) and a ramp from
``worst`` (sub-score 0) to ``best`` (sub-score 1), clamped to [0, 1]. A factor's
contribution is ``weight x sub-score``, rounded to 0.01 points, and the score is the sum
of the contributions (so it lies in 0..100, higher is safer, and the listed
contributions add up to the score exactly up to float rounding).

When the customer has no external rating, the ``external_rating`` factor is left out of
``factors`` and its weight is shared among the other factors in proportion to their
weights (each is multiplied by ``100 / (100 - external weight)``), so the maximum stays
100 and a missing rating neither rewards nor punishes. ``Factor.weight`` shows the
weight actually used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from scoring.codes import QualificationStatus, RiskGrade
from scoring.ledger import ZERO, AgingBuckets, Invoice, days_beyond_terms, max_days_overdue
from scoring.policy import Policy

# A limit of 0 with exposure is "far over limit"; also caps absurd ratios for display.
_UTILISATION_CAP = 10.0
# Volume growing from nothing is shown as +100 % rather than infinity.
_VOLUME_TREND_CAP = 1.0
_THIRTY = Decimal(30)


@dataclass(frozen=True, slots=True)
class CustomerSnapshot:
    """Plain facts about one customer on the scoring day.

    ``monthly_volumes`` are invoiced order values per calendar month, oldest first,
    ending with the last complete month. ``aging`` is ``ledger.aging(open_invoices,
    as_of)``; it is passed in because the store already keeps it. ``returns_rate`` is
    returned value / shipped value over the same period (0..1).
    """

    credit_limit: Decimal
    payment_term_days: int
    open_invoices: tuple[Invoice, ...]
    paid_history: tuple[Invoice, ...]
    aging: AgingBuckets
    exposure: Decimal
    monthly_volumes: tuple[Decimal, ...]
    returns_rate: float
    tenure_days: int
    qualification: QualificationStatus
    external_rating: float | None = None
    previous_score: float | None = None


@dataclass(frozen=True, slots=True)
class Factor:
    """One line of the scorecard: the measured value and the points it earned.

    ``weight`` is the maximum points the factor could earn in this assessment.
    """

    name: str
    value: float
    contribution: float
    weight: float


# Hot path: the generated frozen __init__ routes each field through object.__setattr__;
# setting the slots directly builds the ten factors of an assessment ~40 % faster.
_new = object.__new__
_set_name = vars(Factor)["name"].__set__
_set_value = vars(Factor)["value"].__set__
_set_contribution = vars(Factor)["contribution"].__set__
_set_weight = vars(Factor)["weight"].__set__


def _factor(name: str, value: float, contribution: float, weight: float) -> Factor:
    factor = _new(Factor)
    _set_name(factor, name)
    _set_value(factor, value)
    _set_contribution(factor, contribution)
    _set_weight(factor, weight)
    return factor


@dataclass(frozen=True, slots=True)
class Assessment:
    """Result of scoring one customer.

    ``score_change`` is ``score - previous_score`` (negative = worse), None on the first
    assessment.
    """

    score: float
    grade: RiskGrade
    factors: tuple[Factor, ...]
    recommended_limit: Decimal
    recommended_terms_days: int
    policy_version: str
    score_change: float | None = None


def _utilisation(exposure: Decimal, limit: Decimal) -> float:
    if limit > 0:
        return min(float(exposure / limit), _UTILISATION_CAP)
    return _UTILISATION_CAP if exposure > 0 else 0.0


def _volume_trend(volumes: tuple[Decimal, ...], months: int) -> float:
    # Too short a history is treated as stable: a new customer is not "falling".
    if len(volumes) < 2 * months:
        return 0.0
    recent = sum(volumes[-months:], ZERO)
    previous = sum(volumes[-2 * months : -months], ZERO)
    if previous <= 0:
        return _VOLUME_TREND_CAP if recent > 0 else 0.0
    return min(float(recent / previous) - 1.0, _VOLUME_TREND_CAP)


def grade_for(score: float, policy: Policy) -> RiskGrade:
    """Map a score to its grade using the policy's bands.

    Parameters:
        score: 0..100.
        policy: the credit policy.

    Returns:
        The best grade whose minimum score is reached.
    """
    for grade, minimum in policy.grade_bands:
        if score >= minimum:
            return grade
    return RiskGrade.E


def recommend_limit(monthly_volumes: tuple[Decimal, ...], grade: RiskGrade, policy: Policy) -> Decimal:
    """Recommended credit limit for a grade and order volume.

    Mean monthly volume over the last ``limits.volume_months`` months (or fewer if the
    history is shorter) x grade multiplier x terms_days / 30, i.e. the receivables a
    customer of that volume carries on the grade's terms plus headroom; rounded down to
    ``limits.rounding_step`` and capped at ``limits.maximum``.

    Parameters:
        monthly_volumes: invoiced value per month, oldest first.
        grade: the customer's grade.
        policy: the credit policy.

    Returns:
        The limit, a Decimal multiple of the rounding step (0 for grade E).
    """
    lp = policy.limits
    recent = monthly_volumes[-lp.volume_months :]
    if not recent:
        return ZERO
    mean = sum(recent, ZERO) / len(recent)
    raw = mean * lp.multiplier[grade] * lp.terms_days[grade] / _THIRTY
    if raw <= 0:
        return ZERO
    step = lp.rounding_step
    rounded = (raw / step).to_integral_value(rounding=ROUND_FLOOR) * step
    return min(rounded, lp.maximum).quantize(Decimal("0.01"))


def assess(snapshot: CustomerSnapshot, policy: Policy, as_of: date) -> Assessment:
    """Score a customer and recommend a limit and terms.

    Parameters:
        snapshot: the customer's facts.
        policy: the credit policy (parse once, reuse).
        as_of: the scoring day; no clock is read.

    Returns:
        ``Assessment`` with every factor's value and contribution.
    """
    sc = policy.scorecard
    dbt = days_beyond_terms(snapshot.paid_history, as_of, sc.dbt_window_days)
    aging = snapshot.aging
    total_open = aging.total
    overdue_share = float(aging.overdue / total_open) if total_open > 0 else 0.0
    values = (
        dbt.dbt,
        dbt.trend,
        overdue_share,
        float(max_days_overdue(snapshot.open_invoices, as_of)),
        _utilisation(snapshot.exposure, snapshot.credit_limit),
        _volume_trend(snapshot.monthly_volumes, sc.volume_trend_months),
        float(snapshot.returns_rate),
        float(snapshot.tenure_days),
        sc.qualification_points[snapshot.qualification],
        float(snapshot.external_rating) if snapshot.external_rating is not None else 0.0,
    )
    has_rating = snapshot.external_rating is not None
    weights = sc.weights_with_rating if has_rating else sc.weights_without_rating
    factors: list[Factor] = []
    total = 0.0
    for (name, worst, inv_span), weight, value in zip(sc.ramps, weights, values, strict=True):
        if not has_rating and name == "external_rating":
            continue
        sub = (value - worst) * inv_span
        sub = 0.0 if sub < 0.0 else 1.0 if sub > 1.0 else sub
        contribution = round(weight * sub, 2)
        total += contribution
        factors.append(_factor(name, value, contribution, weight))
    score = round(total, 2)
    grade = grade_for(score, policy)
    terms = policy.limits.terms_days[grade]
    change = round(score - snapshot.previous_score, 2) if snapshot.previous_score is not None else None
    return Assessment(
        score=score,
        grade=grade,
        factors=tuple(factors),
        recommended_limit=recommend_limit(snapshot.monthly_volumes, grade, policy),
        recommended_terms_days=terms,
        policy_version=policy.version,
        score_change=change,
    )
