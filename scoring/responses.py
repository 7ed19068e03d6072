"""Responses the policy prescribes beyond warnings: prepayment, collection tasks, outside signals.

Read from the policy file's ``[responses]`` table (every key optional, defaults below)
and kept on ``Policy.responses``. Pure, like the rest of ``scoring``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from common.roles import Role
from scoring.codes import RiskGrade, Severity
from scoring.errors import PolicyError


@dataclass(frozen=True, slots=True)
class SignalRule:
    """How an outside signal of one severity is raised as a warning."""

    notify: tuple[Role, ...]
    blocks: bool


def _default_signal_rules() -> Mapping[Severity, SignalRule]:
    cm, ex, fi, sa = Role.CREDIT_MANAGER, Role.EXECUTIVE, Role.FINANCE, Role.SALES
    return MappingProxyType(
        {
            Severity.INFO: SignalRule((cm,), False),
            Severity.LOW: SignalRule((cm,), False),
            Severity.MEDIUM: SignalRule((cm, sa), False),
            Severity.HIGH: SignalRule((cm, fi, sa), False),
            Severity.CRITICAL: SignalRule((ex, cm, fi, sa), True),
        }
    )


@dataclass(frozen=True, slots=True)
class ResponsePolicy:
    """What the system does, beyond telling people, when risk rises."""

    # Orders of customers with these grades or active warning kinds need prepayment.
    prepayment_grades: frozenset[RiskGrade] = frozenset({RiskGrade.E})
    prepayment_warnings: frozenset[str] = frozenset({"SEVERE_OVERDUE"})
    # Warning kinds that open (or keep up to date) the customer's collection task.
    collection_kinds: frozenset[str] = frozenset({"COLLECTION", "SEVERE_OVERDUE"})
    # A new collection task is due this many days after it opens.
    collection_due_days: int = 7
    # A promise to pay that passes unpaid raises this warning.
    broken_promise_severity: Severity = Severity.HIGH
    broken_promise_notify: tuple[Role, ...] = (Role.FINANCE, Role.CREDIT_MANAGER, Role.SALES)
    # Outside signals (lawsuits, news, penalties) raise warnings for this many days.
    signal_active_days: int = 180
    signal_rules: Mapping[Severity, SignalRule] = field(default_factory=_default_signal_rules)
    # Adverse signals in force take points off the external rating (0-100) the scorecard
    # uses; without any rating the deduction starts from the neutral rating.
    neutral_rating: float = 70.0
    rating_deductions: Mapping[Severity, float] = field(
        default_factory=lambda: MappingProxyType(
            {Severity.INFO: 0.0, Severity.LOW: 5.0, Severity.MEDIUM: 10.0, Severity.HIGH: 20.0, Severity.CRITICAL: 40.0}
        )
    )


@dataclass(frozen=True, slots=True)
class Signal:
    """An outside signal as the policy sees it; ``score`` only for external ratings."""

    kind: str
    severity: Severity
    occurred_on: date
    score: float | None = None


RATING = "EXTERNAL_RATING"


def external_rating(signals: Sequence[Signal], as_of: date, policy: ResponsePolicy) -> float | None:
    """The external rating the scorecard uses: the newest rating, less the adverse signals in force.

    Returns None when there is neither a rating nor an adverse signal (the factor is left
    out and its weight shared among the others, as before).
    """
    ratings = sorted((s for s in signals if s.kind == RATING and s.score is not None), key=lambda s: s.occurred_on)
    adverse = [s for s in signals if s.kind != RATING and signal_in_force(s.occurred_on, as_of, policy)]
    if not ratings and not adverse:
        return None
    base = float(ratings[-1].score) if ratings and ratings[-1].score is not None else policy.neutral_rating
    deduction = sum(policy.rating_deductions.get(s.severity, 0.0) for s in adverse)
    return max(0.0, min(100.0, base - deduction))


def signal_warnings(
    signals: Sequence[Signal], as_of: date, policy: ResponsePolicy
) -> list[tuple[str, Severity, SignalRule, int]]:
    """Per kind of adverse signal in force: (warning kind, highest severity, its rule, how many signals)."""
    worst: dict[str, tuple[Severity, int]] = {}
    for s in signals:
        if s.kind == RATING or not signal_in_force(s.occurred_on, as_of, policy):
            continue
        kind = s.kind if s.kind != "OTHER" else "OTHER_SIGNAL"
        level, count = worst.get(kind, (Severity.INFO, 0))
        worst[kind] = (max(level, s.severity), count + 1)
    return [(kind, level, policy.signal_rules[level], count) for kind, (level, count) in sorted(worst.items())]


def requires_prepayment(grade: RiskGrade | None, warning_kinds: Iterable[str], policy: ResponsePolicy) -> bool:
    """Whether new orders need payment in advance (grade or an active warning says so)."""
    return (grade is not None and grade in policy.prepayment_grades) or any(
        kind in policy.prepayment_warnings for kind in warning_kinds
    )


def signal_in_force(occurred_on: date, as_of: date, policy: ResponsePolicy) -> bool:
    """Whether a signal is recent enough to keep its warning up."""
    return occurred_on <= as_of < occurred_on + timedelta(days=policy.signal_active_days)


def _roles(names: Sequence[str], path: str) -> tuple[Role, ...]:
    unknown = [n for n in names if n not in Role.__members__]
    if unknown or not names:
        raise PolicyError(f"{path}: needs known roles, got {list(names)!r}")
    return tuple(Role[n] for n in names)


def parse_responses(data: Mapping[str, Any]) -> ResponsePolicy:
    """Build the ``[responses]`` table (missing keys take the defaults).

    Raises:
        PolicyError: an unknown grade, severity or role, or a wrong type.
    """
    base = ResponsePolicy()
    try:
        grade_names = data.get("prepayment_grades", [g.name for g in base.prepayment_grades])
        grades = frozenset(RiskGrade[g] for g in grade_names)
        rules = dict(base.signal_rules)
        for name, rule in (data.get("signals") or {}).items():
            rules[Severity[name]] = SignalRule(
                _roles(rule["notify"], f"responses.signals.{name}.notify"), bool(rule.get("blocks", False))
            )
        return ResponsePolicy(
            prepayment_grades=grades,
            prepayment_warnings=frozenset(data.get("prepayment_warnings", base.prepayment_warnings)),
            collection_kinds=frozenset(data.get("collection_kinds", base.collection_kinds)),
            collection_due_days=int(data.get("collection_due_days", base.collection_due_days)),
            broken_promise_severity=Severity[data.get("broken_promise_severity", base.broken_promise_severity.name)],
            broken_promise_notify=_roles(
                data.get("broken_promise_notify", [r.name for r in base.broken_promise_notify]),
                "responses.broken_promise_notify",
            ),
            signal_active_days=int(data.get("signal_active_days", base.signal_active_days)),
            signal_rules=MappingProxyType(rules),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PolicyError(f"responses: {exc}") from None
