"""The warning ladder (预警): risk signals -> warnings with severity, routing and blocking.

Each warning has a stable ``kind`` so the store can keep one active warning per
(customer, kind): upsert the kinds returned, resolve the active kinds not returned.
Ladders fire at most one rung each (the highest reached), so an overdue that grows from
a reminder into a collection task resolves the reminder; when two ladders produce the
same kind (overdue days and overdue share both give SEVERE_OVERDUE) they are merged:
the higher severity wins, roles are united and either one blocking blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from common.roles import Role
from scoring.codes import RiskGrade, Severity
from scoring.ledger import max_days_overdue
from scoring.policy import Policy, WarningRung
from scoring.qualification import Certificate, has_expired_license, license_days_to_expiry
from scoring.scorecard import Assessment, CustomerSnapshot

_BLOCK_NOTE = " Orders and shipments are blocked; prepayment required. 已停止发货，需预付款。"


@dataclass(frozen=True, slots=True)
class RiskSignals:
    """The facts the warning ladder looks at.

    ``overdue_share`` is overdue / open receivables (0..1); ``license_days_to_expiry`` is
    days until the first in-force licence ends (0 = last valid day, None = no end date or
    no licence); ``score_drop`` is points lost since the previous assessment (<= 0 means
    no drop).
    """

    max_days_overdue: int = 0
    overdue_amount: Decimal = Decimal("0.00")
    overdue_share: float = 0.0
    license_days_to_expiry: int | None = None
    license_expired: bool = False
    score_drop: float = 0.0
    grade: RiskGrade | None = None


@dataclass(frozen=True, slots=True)
class WarningSpec:
    """A warning that should be active for the customer."""

    kind: str
    severity: Severity
    message: str
    notify_roles: tuple[Role, ...]
    blocks_customer: bool


def _spec(rung: WarningRung, message: str) -> WarningSpec:
    note = _BLOCK_NOTE if rung.blocks else ""
    return WarningSpec(rung.kind, rung.severity, message + note, rung.notify, rung.blocks)


def _highest_reached(ladder: tuple[WarningRung, ...], value: float) -> WarningRung | None:
    reached = None
    for rung in ladder:  # sorted by ascending `at`
        if value >= rung.at:
            reached = rung
    return reached


def _merge(specs: Sequence[WarningSpec]) -> tuple[WarningSpec, ...]:
    merged: dict[str, WarningSpec] = {}
    for spec in specs:
        old = merged.get(spec.kind)
        if old is None:
            merged[spec.kind] = spec
            continue
        main, other = (spec, old) if spec.severity > old.severity else (old, spec)
        roles = main.notify_roles + tuple(r for r in other.notify_roles if r not in main.notify_roles)
        merged[spec.kind] = WarningSpec(
            main.kind,
            main.severity,
            main.message,
            roles,
            main.blocks_customer or other.blocks_customer,
        )
    return tuple(sorted(merged.values(), key=lambda s: (-s.severity.rank, s.kind)))


def evaluate_warnings(signals: RiskSignals, policy: Policy) -> tuple[WarningSpec, ...]:
    """Run the warning ladders over a customer's risk signals.

    Parameters:
        signals: the customer's current signals.
        policy: the credit policy (``[warnings]``).

    Returns:
        One ``WarningSpec`` per kind that applies, most severe first.
    """
    wp = policy.warnings
    specs: list[WarningSpec] = []
    overdue_counts = signals.overdue_amount >= wp.ignore_overdue_below and signals.overdue_amount > 0
    if overdue_counts and signals.max_days_overdue > 0:
        rung = _highest_reached(wp.overdue, signals.max_days_overdue)
        if rung is not None:
            specs.append(
                _spec(
                    rung,
                    f"逾期 Overdue: oldest open invoice {signals.max_days_overdue} days past due, "
                    f"{signals.overdue_amount:,.2f} overdue "
                    f"({signals.overdue_share:.0%} of open receivables).",
                )
            )
    share = wp.overdue_share
    if overdue_counts and signals.overdue_share >= share.at and signals.overdue_amount >= share.min_amount:
        specs.append(
            _spec(
                share.rung,
                f"严重逾期 Severe overdue: {signals.overdue_share:.0%} of open receivables "
                f"({signals.overdue_amount:,.2f}) is past due.",
            )
        )
    days = signals.license_days_to_expiry
    if signals.license_expired or (days is not None and days < 0):
        specs.append(
            _spec(
                wp.license_expired,
                "资质过期 Licence expired: a required licence is no longer valid; collect the renewed licence.",
            )
        )
    elif days is not None:
        # The nearest reminder: 45 days left falls under the 60-day rung, not the 90-day one.
        expiring = next((r for r in wp.license_expiring if days <= r.at), None)
        if expiring is not None:
            specs.append(
                _spec(
                    expiring,
                    f"资质即将到期 Licence expiring: {days} days left; request the renewal.",
                )
            )
    if signals.score_drop > 0:
        rung = _highest_reached(wp.score_drop, signals.score_drop)
        if rung is not None:
            specs.append(
                _spec(
                    rung,
                    f"评分下降 Score drop: {signals.score_drop:.1f} points since the last assessment.",
                )
            )
    if signals.grade is not None:
        grade_rung = wp.grade.get(signals.grade)
        if grade_rung is not None:
            specs.append(
                _spec(
                    grade_rung,
                    f"信用等级低 Low grade: the customer is graded {signals.grade.name}.",
                )
            )
    return _merge(specs)


def risk_signals(
    snapshot: CustomerSnapshot,
    assessment: Assessment,
    certificates: Sequence[Certificate],
    as_of: date,
    policy: Policy,
) -> RiskSignals:
    """Derive the warning signals from a snapshot, its assessment and the certificates.

    Parameters:
        snapshot: the facts the assessment was made from.
        assessment: ``assess(snapshot, policy, as_of)``.
        certificates: the customer's certificates.
        as_of: the day.
        policy: the credit policy.

    Returns:
        ``RiskSignals`` ready for :func:`evaluate_warnings`.
    """
    aging = snapshot.aging
    total = aging.total
    overdue = aging.overdue
    change = assessment.score_change
    return RiskSignals(
        max_days_overdue=max_days_overdue(snapshot.open_invoices, as_of),
        overdue_amount=overdue,
        overdue_share=float(overdue / total) if total > 0 else 0.0,
        license_days_to_expiry=license_days_to_expiry(certificates, as_of, policy),
        license_expired=has_expired_license(certificates, as_of, policy),
        score_drop=-change if change is not None and change < 0 else 0.0,
        grade=assessment.grade,
    )
