"""Onboarding status: standards per customer type, the sign-off, the fall-back and the gate switch."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from scoring.errors import PolicyError
from scoring.onboarding import (
    Approval,
    ApprovalState,
    HeldCertificate,
    OnboardingStatus,
    assess_onboarding,
    lines_held_for_onboarding,
)
from scoring.onboarding_policy import parse_onboarding
from scoring.policy import load_policy
from scoring.qualification import Certificate

POLICY = load_policy()
DAY = date(2026, 11, 23)
BUSINESS = HeldCertificate(Certificate("business_license", (), (), None))
OPERATION = HeldCertificate(Certificate("operation_license", ("III",), ("06",), DAY + timedelta(days=900)))
OPERATION_SOON = HeldCertificate(Certificate("operation_license", ("III",), ("06",), DAY + timedelta(days=30)))
OPERATION_LAPSED = HeldCertificate(Certificate("operation_license", ("III",), ("06",), DAY - timedelta(days=1)))
OPERATION_OTHER_HOLDER = HeldCertificate(OPERATION.certificate, holder_matches=False)
OPERATION_REJECTED = HeldCertificate(replace(OPERATION.certificate, status="rejected"))
PRACTISING = HeldCertificate(Certificate("medical_institution_license", (), (), DAY + timedelta(days=900)))
NONE = Approval()
ACTIVE = Approval(ApprovalState.ACTIVE, DAY - timedelta(days=10))
LAPSED = Approval(ApprovalState.LAPSED, DAY - timedelta(days=10))
S = OnboardingStatus


@pytest.mark.parametrize(
    ("customer_type", "certificates", "approval", "status", "missing"),
    [
        ("DISTRIBUTOR", [], NONE, S.INCOMPLETE, ("legal_entity", "device_trade")),
        ("DISTRIBUTOR", [BUSINESS], NONE, S.INCOMPLETE, ("device_trade",)),
        ("DISTRIBUTOR", [BUSINESS, OPERATION], NONE, S.READY_FOR_REVIEW, ()),
        ("DISTRIBUTOR", [BUSINESS, OPERATION], ACTIVE, S.APPROVED, ()),
        ("DISTRIBUTOR", [BUSINESS, OPERATION_LAPSED], ACTIVE, S.EXPIRED, ("device_trade",)),
        ("DISTRIBUTOR", [BUSINESS, OPERATION_LAPSED], LAPSED, S.EXPIRED, ("device_trade",)),
        ("DISTRIBUTOR", [BUSINESS, OPERATION_OTHER_HOLDER], ACTIVE, S.INCOMPLETE, ("device_trade",)),
        ("DISTRIBUTOR", [BUSINESS, OPERATION_REJECTED], ACTIVE, S.INCOMPLETE, ("device_trade",)),
        ("DISTRIBUTOR", [BUSINESS, OPERATION], LAPSED, S.READY_FOR_REVIEW, ()),
        ("DISTRIBUTOR", [BUSINESS, OPERATION], replace(ACTIVE, suspended=True), S.SUSPENDED, ()),
        ("HOSPITAL", [PRACTISING], NONE, S.READY_FOR_REVIEW, ()),
        ("HOSPITAL", [BUSINESS], NONE, S.INCOMPLETE, ("practising_licence",)),
        ("MANUFACTURER", [BUSINESS, OPERATION], NONE, S.INCOMPLETE, ("production",)),
        ("OTHER", [BUSINESS], NONE, S.READY_FOR_REVIEW, ()),
    ],
)
def test_status_against_the_standard(customer_type, certificates, approval, status, missing) -> None:  # type: ignore[no-untyped-def]
    state = assess_onboarding(customer_type, certificates, approval, DAY, POLICY)
    assert (state.status, state.missing) == (status, missing)


def test_the_periodic_review_falls_due() -> None:
    old = Approval(ApprovalState.ACTIVE, DAY - timedelta(days=366))
    state = assess_onboarding("DISTRIBUTOR", [BUSINESS, OPERATION], old, DAY, POLICY)
    assert state.status is S.EXPIRED and state.missing == ()
    assert state.next_review_on == DAY - timedelta(days=1)


def test_a_requirement_met_only_by_a_licence_ending_soon_is_listed() -> None:
    state = assess_onboarding("DISTRIBUTOR", [BUSINESS, OPERATION_SOON], ACTIVE, DAY, POLICY)
    assert (state.status, state.expiring_soon) == (S.APPROVED, ("device_trade",))
    both = assess_onboarding("DISTRIBUTOR", [BUSINESS, OPERATION_SOON, OPERATION], ACTIVE, DAY, POLICY)
    assert both.expiring_soon == ()


@pytest.mark.parametrize(
    ("classes", "approved", "held"),
    [(["I"], False, False), (["I", "II"], False, True), (["III"], True, False), (["II"], False, True)],
)
def test_the_gate_switch_exempts_class_one_by_default(classes, approved, held) -> None:  # type: ignore[no-untyped-def]
    assert lines_held_for_onboarding(classes, approved, POLICY) is held


def test_a_stricter_deployment_holds_class_one_too() -> None:
    strict = replace(POLICY, onboarding=replace(POLICY.onboarding, exempt_classes=frozenset()))
    assert lines_held_for_onboarding(["I"], False, strict) is True
    relaxed = replace(POLICY, onboarding=replace(POLICY.onboarding, hold_orders=False))
    assert lines_held_for_onboarding(["III"], False, relaxed) is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"exempt_classes": ["IV"]}, "exempt_classes"),
        ({"standards": {"SHOP": []}}, "unknown customer type"),
        ({"standards": {"OTHER": [{"key": "x", "label": "y", "any_of": ["passport"]}]}}, "any_of"),
        ({"approver_roles": ["BOSS"]}, "approver_roles"),
    ],
)
def test_bad_onboarding_sections_are_refused(change, message) -> None:  # type: ignore[no-untyped-def]
    base = {
        "review_every_days": 365,
        "expiring_within_days": 60,
        "hold_orders": True,
        "exempt_classes": ["I"],
        "approver_roles": ["ONBOARDING"],
        "lapsed_notify": ["ONBOARDING"],
        "standards": {},
    }
    with pytest.raises(PolicyError, match=message):
        parse_onboarding({**base, **change})
