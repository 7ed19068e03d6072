"""The warning ladder: levels, routing, blocking and merging."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from scoring import (
    Certificate,
    CustomerSnapshot,
    Invoice,
    QualificationStatus,
    RiskGrade,
    RiskSignals,
    Role,
    Severity,
    aging,
    assess,
    evaluate_warnings,
    load_policy,
    risk_signals,
)

POLICY = load_policy()
SALES, FINANCE, CM, EXEC, ONB = (
    Role.SALES,
    Role.FINANCE,
    Role.CREDIT_MANAGER,
    Role.EXECUTIVE,
    Role.ONBOARDING,
)


def _only(signals):
    specs = evaluate_warnings(signals, POLICY)
    assert len(specs) == 1, specs
    return specs[0]


def test_no_signals_no_warnings():
    assert evaluate_warnings(RiskSignals(), POLICY) == ()


@pytest.mark.parametrize(
    ("days", "kind", "severity", "roles", "blocks"),
    [
        (1, "OVERDUE_REMINDER", "LOW", (SALES,), False),
        (15, "OVERDUE_REMINDER", "LOW", (SALES,), False),
        (16, "OVERDUE_REMINDER", "MEDIUM", (SALES,), False),
        (30, "OVERDUE_REMINDER", "MEDIUM", (SALES,), False),
        (31, "COLLECTION", "MEDIUM", (FINANCE, SALES), False),
        (60, "COLLECTION", "MEDIUM", (FINANCE, SALES), False),
        (61, "COLLECTION", "HIGH", (FINANCE, CM, SALES), False),
        (90, "COLLECTION", "HIGH", (FINANCE, CM, SALES), False),
        (91, "SEVERE_OVERDUE", "CRITICAL", (EXEC, CM, FINANCE, SALES), True),
    ],
)
def test_overdue_ladder(days, kind, severity, roles, blocks):
    spec = _only(RiskSignals(max_days_overdue=days, overdue_amount=D("5000.00"), overdue_share=0.2))
    assert (spec.kind, spec.severity, spec.notify_roles, spec.blocks_customer) == (
        kind,
        Severity[severity],
        roles,
        blocks,
    )
    assert f"{days} days" in spec.message
    assert "5,000.00" in spec.message


def test_tiny_overdue_residue_is_ignored():
    assert evaluate_warnings(RiskSignals(max_days_overdue=200, overdue_amount=D("99.99")), POLICY) == ()


def test_large_overdue_share_is_severe_even_when_recent():
    specs = evaluate_warnings(RiskSignals(max_days_overdue=5, overdue_amount=D("20000.00"), overdue_share=0.6), POLICY)
    assert [(s.kind, s.severity) for s in specs] == [
        ("SEVERE_OVERDUE", Severity.CRITICAL),
        ("OVERDUE_REMINDER", Severity.LOW),
    ]
    assert specs[0].blocks_customer and EXEC in specs[0].notify_roles


def test_large_share_of_a_small_book_is_not_severe():
    spec = _only(RiskSignals(max_days_overdue=5, overdue_amount=D("5000.00"), overdue_share=0.9))
    assert spec.kind == "OVERDUE_REMINDER"


def test_same_kind_from_two_ladders_is_merged():
    spec = _only(RiskSignals(max_days_overdue=120, overdue_amount=D("80000.00"), overdue_share=0.8))
    assert (spec.kind, spec.severity, spec.blocks_customer) == (
        "SEVERE_OVERDUE",
        Severity.CRITICAL,
        True,
    )
    assert spec.notify_roles == (EXEC, CM, FINANCE, SALES)


@pytest.mark.parametrize(
    ("days", "severity"),
    [
        (91, None),
        (90, "INFO"),
        (61, "INFO"),
        (60, "LOW"),
        (45, "LOW"),
        (31, "LOW"),
        (30, "MEDIUM"),
        (0, "MEDIUM"),
    ],
)
def test_license_expiry_reminders(days, severity):
    specs = evaluate_warnings(RiskSignals(license_days_to_expiry=days), POLICY)
    if severity is None:
        assert specs == ()
        return
    (spec,) = specs
    assert (spec.kind, spec.severity, spec.blocks_customer) == (
        "LICENSE_EXPIRING",
        Severity[severity],
        False,
    )
    assert ONB in spec.notify_roles


@pytest.mark.parametrize("signals", [RiskSignals(license_expired=True), RiskSignals(license_days_to_expiry=-1)])
def test_expired_license_blocks_and_tells_executives(signals):
    spec = _only(signals)
    assert (spec.kind, spec.severity, spec.blocks_customer) == (
        "LICENSE_EXPIRED",
        Severity.CRITICAL,
        True,
    )
    assert {EXEC, CM} <= set(spec.notify_roles)
    assert "prepayment" in spec.message


@pytest.mark.parametrize(
    ("drop", "severity", "blocks"),
    [
        (-5.0, None, False),
        (7.99, None, False),
        (8.0, "MEDIUM", False),
        (14.9, "MEDIUM", False),
        (15.0, "CRITICAL", True),
        (40.0, "CRITICAL", True),
    ],
)
def test_score_drop(drop, severity, blocks):
    specs = evaluate_warnings(RiskSignals(score_drop=drop), POLICY)
    if severity is None:
        assert specs == ()
        return
    (spec,) = specs
    assert (spec.kind, spec.severity, spec.blocks_customer) == (
        "SCORE_DROP",
        Severity[severity],
        blocks,
    )
    if blocks:
        assert spec.notify_roles == (EXEC, CM)


@pytest.mark.parametrize(("grade", "severity"), [("A", None), ("C", None), ("D", "MEDIUM"), ("E", "HIGH")])
def test_low_grade(grade, severity):
    specs = evaluate_warnings(RiskSignals(grade=RiskGrade[grade]), POLICY)
    assert [s.severity for s in specs] == ([Severity[severity]] if severity else [])


def test_several_warnings_most_severe_first_one_per_kind():
    specs = evaluate_warnings(
        RiskSignals(
            max_days_overdue=40,
            overdue_amount=D("3000.00"),
            overdue_share=0.1,
            license_days_to_expiry=50,
            score_drop=20.0,
            grade=RiskGrade.D,
        ),
        POLICY,
    )
    assert [(s.kind, s.severity.name) for s in specs] == [
        ("SCORE_DROP", "CRITICAL"),
        ("COLLECTION", "MEDIUM"),
        ("LOW_GRADE", "MEDIUM"),
        ("LICENSE_EXPIRING", "LOW"),
    ]
    assert len({s.kind for s in specs}) == len(specs)


def test_severity_is_ordered():
    assert Severity.INFO < Severity.LOW < Severity.MEDIUM < Severity.HIGH < Severity.CRITICAL
    assert max([Severity.MEDIUM, Severity.CRITICAL, Severity.LOW]) is Severity.CRITICAL
    assert [s.rank for s in Severity] == [0, 1, 2, 3, 4]


def test_risk_signals_from_snapshot_assessment_and_certificates():
    as_of = date(2026, 6, 30)
    open_ = (
        Invoice("a", D("30000.00"), date(2026, 3, 1), date(2026, 3, 31)),  # 91 days
        Invoice("b", D("10000.00"), date(2026, 6, 1), date(2026, 7, 1)),
    )
    snap = CustomerSnapshot(
        credit_limit=D("100000"),
        payment_term_days=30,
        open_invoices=open_,
        paid_history=(),
        aging=aging(open_, as_of),
        exposure=D("40000"),
        monthly_volumes=(D("20000"),) * 6,
        returns_rate=0.0,
        tenure_days=400,
        qualification=QualificationStatus.EXPIRING,
        previous_score=90.0,
    )
    certs = (Certificate("operation_license", ("III",), ("06",), as_of + timedelta(days=20)),)
    result = assess(snap, POLICY, as_of)
    signals = risk_signals(snap, result, certs, as_of, POLICY)
    assert signals.max_days_overdue == 91
    assert signals.overdue_amount == D("30000.00")
    assert signals.overdue_share == 0.75
    assert signals.license_days_to_expiry == 20
    assert signals.license_expired is False
    assert signals.score_drop == pytest.approx(90.0 - result.score)
    assert signals.grade is result.grade
    kinds = {s.kind for s in evaluate_warnings(signals, POLICY)}
    assert {"SEVERE_OVERDUE", "LICENSE_EXPIRING", "SCORE_DROP"} <= kinds
