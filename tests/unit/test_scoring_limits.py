"""Limit policy: automatic decreases, small automatic increases, approval for big ones."""

import tomllib
from decimal import Decimal as D
from importlib import resources

import pytest

from scoring import LimitDecisionKind, Role, decide_limit_change, load_policy, parse_policy

POLICY = load_policy()  # step = smaller of 20 % and 50,000


@pytest.mark.parametrize(
    ("current", "recommended", "kind", "new_limit"),
    [
        ("100000.00", "100000.00", "UNCHANGED", "100000.00"),
        ("100000.00", "80000.00", "DECREASE_APPLIED", "80000.00"),
        ("100000.00", "0.00", "DECREASE_APPLIED", "0.00"),
        ("100000.00", "115000.00", "INCREASE_APPLIED", "115000.00"),
        ("100000.00", "120000.00", "INCREASE_APPLIED", "120000.00"),  # exactly +20 %
        ("100000.00", "121000.00", "INCREASE_NEEDS_APPROVAL", "100000.00"),
        ("1000000.00", "1050000.00", "INCREASE_APPLIED", "1050000.00"),  # 50,000 < 20 %
        ("1000000.00", "1051000.00", "INCREASE_NEEDS_APPROVAL", "1000000.00"),
        ("0.00", "10000.00", "INCREASE_NEEDS_APPROVAL", "0.00"),  # a first limit needs a person
    ],
)
def test_decide_limit_change(current, recommended, kind, new_limit):
    decision = decide_limit_change(D(current), D(recommended), POLICY)
    assert decision.kind is LimitDecisionKind[kind]
    assert decision.new_limit == D(new_limit)
    assert decision.proposed_limit == D(recommended)
    assert decision.reason
    expected_role = Role.CREDIT_MANAGER if kind == "INCREASE_NEEDS_APPROVAL" else None
    assert decision.approver_role is expected_role


def test_larger_rule_lets_small_customers_grow_by_the_fixed_amount():
    raw = tomllib.loads(resources.files("scoring").joinpath("policy.toml").read_text("utf-8"))
    raw["limits"]["auto_increase_rule"] = "larger"
    policy = parse_policy(raw)
    assert decide_limit_change(D("0"), D("50000"), policy).kind is LimitDecisionKind.INCREASE_APPLIED
    assert decide_limit_change(D("1000000"), D("1200000"), policy).kind is LimitDecisionKind.INCREASE_APPLIED
    assert decide_limit_change(D("0"), D("51000"), policy).kind is LimitDecisionKind.INCREASE_NEEDS_APPROVAL
