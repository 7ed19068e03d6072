"""Policy loading and validation."""

import copy
import tomllib
from decimal import Decimal as D
from importlib import resources

import pytest

from scoring import PolicyError, QualificationStatus, RiskGrade, Role, load_policy, parse_policy
from scoring.policy import FACTOR_NAMES


def _raw() -> dict:
    text = resources.files("scoring").joinpath("policy.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_packaged_policy_loads():
    policy = load_policy()
    assert policy.version == "2026-11-2"
    assert [f.name for f in policy.scorecard.factors] == list(FACTOR_NAMES)
    assert sum(policy.scorecard.weights_with_rating) == pytest.approx(100)
    assert sum(policy.scorecard.weights_without_rating) == pytest.approx(100)
    assert [g for g, _ in policy.grade_bands] == list(RiskGrade)
    assert policy.limits.rounding_step == D("1000")
    assert policy.limits.approval_role is Role.CREDIT_MANAGER
    assert policy.scorecard.qualification_points[QualificationStatus.EXPIRING] == 0.6
    assert [r.at for r in policy.warnings.overdue] == [1, 16, 31, 61, 91]


def _set(path: str, value):
    def mutate(data):
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value

    return mutate


_DELETE = object()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_set("version", ""), "version"),
        (_set("version", _DELETE), "version"),
        (_set("scorecard.factors.dbt_level.weight", 25), "weights must sum to 100"),
        (_set("scorecard.factors.tenure_days", _DELETE), "missing ['tenure_days']"),
        (_set("scorecard.factors.luck", {"weight": 0, "best": 1, "worst": 0}), "unknown ['luck']"),
        (_set("scorecard.factors.returns_rate.best", 0.15), "must differ"),
        (_set("scorecard.factors.returns_rate.weight", "5"), "returns_rate.weight"),
        (_set("scorecard.qualification_points.VALID", 1.5), "VALID"),
        (_set("scorecard.dbt_window_days", 0), "dbt_window_days"),
        (_set("grades.B", 85), "fall strictly"),
        (_set("grades.E", 10), "grades.E"),
        (_set("grades.F", 0), "grades"),
        (_set("limits.rounding_step", 1000.0), "decimal string"),
        (_set("limits.rounding_step", "0"), "rounding_step"),
        (_set("limits.maximum", "lots"), "limits.maximum"),
        (_set("limits.multiplier.A", "-1"), "limits.multiplier.A"),
        (_set("limits.auto_increase_rule", "both"), "auto_increase_rule"),
        (_set("limits.approval_role", "INTERN"), "approval_role"),
        (_set("warnings.overdue.0.severity", "URGENT"), "warnings.overdue[0].severity"),
        (_set("warnings.overdue.2.notify", ["FINANCE", "JANITOR"]), "warnings.overdue[2].notify"),
        (_set("warnings.overdue.1.at", 1), "same 'at'"),
        (_set("warnings.overdue_share.at", 1.5), "overdue_share.at"),
        (_set("warnings.license_expired", _DELETE), "license_expired"),
        (
            _set("gate.covers.driving_licence", {"classes": ["I"], "check_scope": False}),
            "unknown certificate type",
        ),
        (_set("gate.covers.class2_filing.classes", ["IV"]), "unknown device class"),
        (_set("gate.covers.class2_filing.check_scope", "yes"), "check_scope"),
        (_set("gate.overdue_block_days", -1), "overdue_block_days"),
    ],
)
def test_invalid_policy_is_rejected_with_the_key(mutate, message):
    data = copy.deepcopy(_raw())
    mutate(data)
    with pytest.raises(PolicyError) as exc:
        parse_policy(data)
    assert message in str(exc.value)


def test_load_policy_reports_bad_toml(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('version = "x"\n[scorecard\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(path)


def test_load_policy_from_path(tmp_path):
    text = resources.files("scoring").joinpath("policy.toml").read_text(encoding="utf-8")
    path = tmp_path / "p.toml"
    path.write_text(text.replace('version = "2026-11-2"', 'version = "test-2"'), encoding="utf-8")
    assert load_policy(path).version == "test-2"
