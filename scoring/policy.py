"""The versioned credit policy: parsed once from TOML, then passed to every decision."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from common.roles import Role
from scoring.codes import QualificationStatus, RiskGrade, Severity
from scoring.errors import PolicyError
from scoring.gate_policy import CoverRule, GatePolicy, parse_gate
from scoring.lifecycle_policy import DEFAULT_LIFECYCLE, LifecyclePolicy, parse_lifecycle
from scoring.onboarding_policy import NO_STANDARDS, OnboardingPolicy, parse_onboarding
from scoring.policy_fields import boolean as _bool
from scoring.policy_fields import integer as _int
from scoring.policy_fields import money as _money
from scoring.policy_fields import number as _number
from scoring.policy_fields import string as _str
from scoring.policy_fields import string_list as _str_list
from scoring.policy_fields import table as _table
from scoring.responses import ResponsePolicy, parse_responses

#: Scorecard factors in display order; the policy must give a rule for each.
FACTOR_NAMES: tuple[str, ...] = (
    "dbt_level",
    "dbt_trend",
    "overdue_share",
    "largest_overdue_days",
    "utilisation",
    "volume_trend",
    "returns_rate",
    "tenure_days",
    "qualification",
    "external_rating",
)


@dataclass(frozen=True, slots=True)
class FactorRule:
    """Points and sub-score ramp of one scorecard factor."""

    name: str
    weight: float
    best: float
    worst: float


@dataclass(frozen=True, slots=True)
class ScorecardPolicy:
    """Scorecard weights and trend windows.

    ``weights_without_rating`` are the factor weights used when a customer has no
    external rating (that factor's weight shared pro rata; its own entry is 0), and
    ``ramps`` are ``(name, worst, 1 / (best - worst))`` per factor; both are precomputed
    here so scoring does not redo them per customer.
    """

    factors: tuple[FactorRule, ...]
    dbt_window_days: int
    volume_trend_months: int
    qualification_points: Mapping[QualificationStatus, float]
    weights_with_rating: tuple[float, ...]
    weights_without_rating: tuple[float, ...]
    ramps: tuple[tuple[str, float, float], ...]


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    """How a grade turns into a recommended limit and terms, and how changes apply."""

    rounding_step: Decimal
    maximum: Decimal
    volume_months: int
    multiplier: Mapping[RiskGrade, Decimal]
    terms_days: Mapping[RiskGrade, int]
    auto_increase_ratio: Decimal
    auto_increase_amount: Decimal
    auto_increase_rule: str
    approval_role: Role


@dataclass(frozen=True, slots=True)
class WarningRung:
    """One step of a warning ladder; ``at`` is the threshold in the ladder's unit."""

    at: float
    kind: str
    severity: Severity
    notify: tuple[Role, ...]
    blocks: bool


@dataclass(frozen=True, slots=True)
class ShareRule:
    """Severe-overdue rule on the overdue share of open receivables."""

    at: float
    min_amount: Decimal
    rung: WarningRung


@dataclass(frozen=True, slots=True)
class WarningPolicy:
    """Warning ladders; ladders are sorted by ascending ``at``."""

    ignore_overdue_below: Decimal
    overdue: tuple[WarningRung, ...]
    overdue_share: ShareRule
    license_expiring: tuple[WarningRung, ...]
    license_expired: WarningRung
    score_drop: tuple[WarningRung, ...]
    grade: Mapping[RiskGrade, WarningRung]


@dataclass(frozen=True, slots=True)
class Policy:
    """The whole credit policy; ``version`` is stored with every decision made under it."""

    version: str
    scorecard: ScorecardPolicy
    grade_bands: tuple[tuple[RiskGrade, float], ...]
    limits: LimitPolicy
    warnings: WarningPolicy
    gate: GatePolicy
    lifecycle: LifecyclePolicy = field(default_factory=lambda: DEFAULT_LIFECYCLE)
    # Prepayment, collection tasks, outside signals (scoring/responses.py); optional table.
    responses: ResponsePolicy = ResponsePolicy()
    # Review standards per customer type (scoring.onboarding_policy); none when the file has no section.
    onboarding: OnboardingPolicy = NO_STANDARDS


# --- parsing helpers -------------------------------------------------------------------


def _grades(data: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    if set(data) != {g.name for g in RiskGrade}:
        raise PolicyError(f"{path}: needs exactly the grades A-E, got {sorted(data)}")
    return data


def _rung(data: Any, path: str) -> WarningRung:
    if not isinstance(data, Mapping):
        raise PolicyError(f"{path}: expected a table")
    severity_name = _str(data, "severity", path + ".")
    if severity_name not in Severity.__members__:
        raise PolicyError(f"{path}.severity: unknown severity {severity_name!r}")
    roles = _str_list(data, "notify", path + ".")
    unknown = [r for r in roles if r not in Role.__members__]
    if unknown or not roles:
        raise PolicyError(f"{path}.notify: needs known roles, got {list(roles)!r}")
    at = _number(data, "at", path + ".") if "at" in data else 0.0
    return WarningRung(
        at=at,
        kind=_str(data, "kind", path + ".").upper(),
        severity=Severity[severity_name],
        notify=tuple(Role[r] for r in roles),
        blocks=_bool(data, "blocks", path + "."),
    )


def _ladder(data: Mapping[str, Any], key: str, path: str) -> tuple[WarningRung, ...]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise PolicyError(f"{path}{key}: expected a non-empty array of tables")
    rungs = tuple(_rung(item, f"{path}{key}[{i}]") for i, item in enumerate(items))
    ats = [r.at for r in rungs]
    if ats != sorted(ats) and ats != sorted(ats, reverse=True):
        raise PolicyError(f"{path}{key}: rungs must be ordered by 'at'")
    if len(set(ats)) != len(ats):
        raise PolicyError(f"{path}{key}: two rungs share the same 'at'")
    return tuple(sorted(rungs, key=lambda r: r.at))


# --- sections --------------------------------------------------------------------------


def _parse_scorecard(data: Mapping[str, Any]) -> ScorecardPolicy:
    path = "scorecard."
    factors_data = _table(data, "factors", path)
    missing = [n for n in FACTOR_NAMES if n not in factors_data]
    extra = [n for n in factors_data if n not in FACTOR_NAMES]
    if missing or extra:
        raise PolicyError(f"scorecard.factors: missing {missing}, unknown {extra}")
    rules: list[FactorRule] = []
    for name in FACTOR_NAMES:
        fpath = f"scorecard.factors.{name}."
        fdata = _table(factors_data, name, "scorecard.factors.")
        weight = _number(fdata, "weight", fpath)
        best = _number(fdata, "best", fpath)
        worst = _number(fdata, "worst", fpath)
        if weight < 0:
            raise PolicyError(f"{fpath}weight: must be >= 0")
        if best == worst:
            raise PolicyError(f"{fpath}best/worst: must differ (the ramp would be flat)")
        rules.append(FactorRule(name, weight, best, worst))
    total = sum(r.weight for r in rules)
    if abs(total - 100.0) > 1e-9:
        raise PolicyError(f"scorecard.factors: weights must sum to 100, got {total:g}")
    ext = rules[FACTOR_NAMES.index("external_rating")]
    if ext.weight >= 100:
        raise PolicyError("scorecard.factors.external_rating.weight: must leave room for others")
    points = _table(data, "qualification_points", path)
    if set(points) != {s.name for s in QualificationStatus}:
        raise PolicyError(f"scorecard.qualification_points: needs VALID EXPIRING EXPIRED MISSING, got {sorted(points)}")
    qualification_points: dict[QualificationStatus, float] = {}
    for status in QualificationStatus:
        value = _number(points, status.name, "scorecard.qualification_points.")
        if not 0.0 <= value <= 1.0:
            raise PolicyError(f"scorecard.qualification_points.{status.name}: must be in [0, 1]")
        qualification_points[status] = value
    scale = 100.0 / (100.0 - ext.weight)
    return ScorecardPolicy(
        factors=tuple(rules),
        dbt_window_days=_int(data, "dbt_window_days", path, minimum=1),
        volume_trend_months=_int(data, "volume_trend_months", path, minimum=1),
        qualification_points=MappingProxyType(qualification_points),
        weights_with_rating=tuple(r.weight for r in rules),
        weights_without_rating=tuple(0.0 if r.name == "external_rating" else r.weight * scale for r in rules),
        ramps=tuple((r.name, r.worst, 1.0 / (r.best - r.worst)) for r in rules),
    )


def _parse_grades(data: Mapping[str, Any]) -> tuple[tuple[RiskGrade, float], ...]:
    raw = _grades(data, "grades")
    bands = [(g, _number(raw, g.name, "grades.")) for g in RiskGrade]
    mins = [m for _, m in bands]
    if any(a <= b for a, b in zip(mins, mins[1:], strict=False)):
        raise PolicyError(f"grades: minimum scores must fall strictly from A to E, got {mins}")
    if mins[-1] != 0:
        raise PolicyError("grades.E: must be 0 so every score has a grade")
    if mins[0] > 100:
        raise PolicyError("grades.A: must be <= 100")
    return tuple(bands)


def _parse_limits(data: Mapping[str, Any]) -> LimitPolicy:
    path = "limits."
    step = _money(data, "rounding_step", path)
    if step <= 0:
        raise PolicyError("limits.rounding_step: must be > 0")
    multipliers = _grades(_table(data, "multiplier", path), "limits.multiplier")
    terms = _grades(_table(data, "terms_days", path), "limits.terms_days")
    rule = _str(data, "auto_increase_rule", path)
    if rule not in ("smaller", "larger"):
        raise PolicyError(f"limits.auto_increase_rule: 'smaller' or 'larger', got {rule!r}")
    role = _str(data, "approval_role", path)
    if role not in Role.__members__:
        raise PolicyError(f"limits.approval_role: unknown role {role!r}")
    return LimitPolicy(
        rounding_step=step,
        maximum=_money(data, "maximum", path),
        volume_months=_int(data, "volume_months", path, minimum=1),
        multiplier=MappingProxyType({g: _money(multipliers, g.name, "limits.multiplier.") for g in RiskGrade}),
        terms_days=MappingProxyType({g: _int(terms, g.name, "limits.terms_days.") for g in RiskGrade}),
        auto_increase_ratio=_money(data, "auto_increase_ratio", path),
        auto_increase_amount=_money(data, "auto_increase_amount", path),
        auto_increase_rule=rule,
        approval_role=Role[role],
    )


def _parse_warnings(data: Mapping[str, Any]) -> WarningPolicy:
    path = "warnings."
    share_data = _table(data, "overdue_share", path)
    share_at = _number(share_data, "at", "warnings.overdue_share.")
    if not 0 < share_at <= 1:
        raise PolicyError("warnings.overdue_share.at: must be a share in (0, 1]")
    grade_items = data.get("grade", [])
    if not isinstance(grade_items, list):
        raise PolicyError("warnings.grade: expected an array of tables")
    grade_rules: dict[RiskGrade, WarningRung] = {}
    for i, item in enumerate(grade_items):
        gpath = f"warnings.grade[{i}]"
        if not isinstance(item, Mapping):
            raise PolicyError(f"{gpath}: expected a table")
        grade = _str(item, "grade", gpath + ".")
        if grade not in RiskGrade.__members__:
            raise PolicyError(f"{gpath}.grade: unknown grade {grade!r}")
        grade_rules[RiskGrade[grade]] = _rung(item, gpath)
    return WarningPolicy(
        ignore_overdue_below=_money(data, "ignore_overdue_below", path),
        overdue=_ladder(data, "overdue", path),
        overdue_share=ShareRule(
            at=share_at,
            min_amount=_money(share_data, "min_amount", "warnings.overdue_share."),
            rung=_rung(share_data, "warnings.overdue_share"),
        ),
        license_expiring=_ladder(data, "license_expiring", path),
        license_expired=_rung(_table(data, "license_expired", path), "warnings.license_expired"),
        score_drop=_ladder(data, "score_drop", path),
        grade=MappingProxyType(grade_rules),
    )


def parse_policy(data: Mapping[str, Any]) -> Policy:
    """Validate a policy mapping (as read from TOML) and build a ``Policy``.

    Parameters:
        data: the decoded TOML document.

    Raises:
        PolicyError: a key is missing, has the wrong type, or values are inconsistent
            (weights not summing to 100, grade bands out of order, unknown roles...).

    Returns:
        The immutable ``Policy``.
    """
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise PolicyError('version: expected a non-empty string such as "2026-11-1"')
    return Policy(
        version=version,
        scorecard=_parse_scorecard(_table(data, "scorecard", "")),
        grade_bands=_parse_grades(_table(data, "grades", "")),
        limits=_parse_limits(_table(data, "limits", "")),
        warnings=_parse_warnings(_table(data, "warnings", "")),
        gate=parse_gate(_table(data, "gate", "")),
        lifecycle=parse_lifecycle(data.get("lifecycle", {})),
        responses=parse_responses(data.get("responses") or {}),
        onboarding=parse_onboarding(data.get("onboarding")),
    )


@cache
def packaged_policy() -> Policy:
    """The policy shipped with ``scoring``, read once (a ``Policy`` is immutable)."""
    return load_policy()


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and validate a policy TOML file; call once at the edge and pass the result in.

    Parameters:
        path: the file to read; None reads the policy packaged with ``scoring``.

    Raises:
        PolicyError: the file is not valid TOML or fails validation.
        OSError: the file cannot be read.

    Returns:
        The immutable ``Policy``.
    """
    if path is None:
        text = resources.files("scoring").joinpath("policy.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy file is not valid TOML: {exc}") from None
    return parse_policy(data)


# The gate's part lives in scoring.gate_policy; its types are part of this module's face.
__all__ = [
    "CoverRule",
    "GatePolicy",
    "LimitPolicy",
    "Policy",
    "ScorecardPolicy",
    "WarningPolicy",
    "WarningRung",
    "load_policy",
    "packaged_policy",
    "parse_policy",
]
