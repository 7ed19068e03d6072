"""verify_document outcomes: VERIFIED, MISMATCH, EXPIRED, NEEDS_REVIEW, with evidence."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from scoring.policy import load_policy
from scoring.qualification import Certificate, covers_line
from verification.checks import CustomerFacts, Purchase, verify_document
from verification.types import (
    CertificateType as CT,
)
from verification.types import (
    CheckOutcome,
    DeviceClass,
    DocumentStatus,
    ExtractedFields,
    FieldEvidence,
)

USCC = "91320105MA1XYW8Q5R"
OTHER_USCC = "91320105190748334N"
TODAY = date(2025, 6, 1)
NAME = "国药控股（南京）医疗器械有限公司"


def ev(raw: str, conf: float = 0.95) -> FieldEvidence:
    return FieldEvidence(raw=raw, engine="rapidocr", confidence=conf)


BASE = ExtractedFields(
    doc_type=CT.OPERATION_LICENSE,
    license_number="苏宁药监械经营许20220089号",
    holder_name=NAME,
    uscc=USCC,
    valid_from=date(2022, 5, 20),
    valid_until=date(2027, 5, 19),
    issuing_authority="南京市市场监督管理局",
    scope_categories=("06", "07", "6840"),
    device_classes=(DeviceClass.II, DeviceClass.III),
    confidence=0.93,
    engine="rapidocr",
    evidence={
        "holder_name": ev(NAME),
        "uscc": ev(USCC),
        "license_number": ev("苏宁药监械经营许20220089号"),
        "valid_until": ev("2027年05月19日"),
    },
)
CUSTOMER = CustomerFacts(
    legal_name="国药控股(南京)医疗器械有限公司",
    uscc=USCC,
    customer_type="distributor",
    purchases=(
        Purchase(DeviceClass.III, "06"),
        Purchase(DeviceClass.II, "22"),
        Purchase(DeviceClass.I, None),
    ),
)


def with_number(fields: ExtractedFields, number: str, **changes: object) -> ExtractedFields:
    """Return ``fields`` with another licence number, read as printed."""
    evidence = {**fields.evidence, "license_number": ev(number)}
    return replace(fields, license_number=number, evidence=evidence, **changes)  # type: ignore[arg-type]


def status_of(fields: ExtractedFields, customer: CustomerFacts = CUSTOMER, **kw: object) -> DocumentStatus:
    return verify_document(fields, customer, today=TODAY, **kw).status  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "customer", "status"),
    [
        (BASE, CUSTOMER, DocumentStatus.VERIFIED),
        # name differs in brackets and spaces only
        (
            replace(BASE, holder_name="国药控股 (南京) 医疗器械有限公司"),
            CUSTOMER,
            DocumentStatus.VERIFIED,
        ),
        # expired yesterday
        (replace(BASE, valid_until=date(2025, 5, 31)), CUSTOMER, DocumentStatus.EXPIRED),
        # last day of validity is still in force
        (replace(BASE, valid_until=TODAY), CUSTOMER, DocumentStatus.VERIFIED),
        # another company
        (
            replace(
                BASE,
                holder_name="上海新华医学科技有限公司",
                evidence={**BASE.evidence, "holder_name": ev("上海新华医学科技有限公司")},
            ),
            CUSTOMER,
            DocumentStatus.MISMATCH,
        ),
        # another valid credit code, read with high confidence
        (
            replace(BASE, uscc=OTHER_USCC, evidence={**BASE.evidence, "uscc": ev(OTHER_USCC)}),
            CUSTOMER,
            DocumentStatus.MISMATCH,
        ),
        # a code repaired by the checksum that differs: maybe a wrong repair -> review
        (
            replace(BASE, uscc=OTHER_USCC, evidence={**BASE.evidence, "uscc": ev("9I32O1O519O748334N")}),
            CUSTOMER,
            DocumentStatus.NEEDS_REVIEW,
        ),
        # a checksum failure is a likely misread
        (replace(BASE, uscc=USCC[:-1] + "0"), CUSTOMER, DocumentStatus.NEEDS_REVIEW),
        # one character off in the name: an OCR slip more likely than another company
        (
            replace(BASE, holder_name="国药控股（南京）医疗器戒有限公司"),
            CUSTOMER,
            DocumentStatus.NEEDS_REVIEW,
        ),
        # low reading confidence
        (replace(BASE, confidence=0.5), CUSTOMER, DocumentStatus.NEEDS_REVIEW),
        # missing key field
        (replace(BASE, license_number=None), CUSTOMER, DocumentStatus.NEEDS_REVIEW),
        # engines disagreed
        (replace(BASE, notes=("engines disagree on uscc",)), CUSTOMER, DocumentStatus.NEEDS_REVIEW),
        # scope does not cover a class III category the customer buys
        (replace(BASE, scope_categories=("07",)), CUSTOMER, DocumentStatus.NEEDS_REVIEW),
        # no end date read on a licence that must have one
        (replace(BASE, valid_until=None), CUSTOMER, DocumentStatus.NEEDS_REVIEW),
        # expiry beats mismatch
        (
            replace(
                BASE,
                valid_from=date(2015, 1, 2),
                valid_until=date(2020, 1, 1),
                holder_name="上海新华医学科技有限公司",
            ),
            CUSTOMER,
            DocumentStatus.EXPIRED,
        ),
    ],
)
def test_status(fields: ExtractedFields, customer: CustomerFacts, status: DocumentStatus) -> None:
    assert status_of(fields, customer) is status


def test_filing_without_expiry_and_class3_purchases_is_verified() -> None:
    filing = with_number(
        BASE,
        "苏宁药监械经营备20220089号",
        doc_type=CT.CLASS2_FILING,
        valid_until=None,
        scope_categories=("22",),
        device_classes=(DeviceClass.II,),
    )
    result = verify_document(filing, CUSTOMER, today=TODAY)
    assert result.status is DocumentStatus.VERIFIED
    assert result.days_to_expiry is None


def test_business_licence_long_term() -> None:
    licence = with_number(
        BASE,
        USCC,
        doc_type=CT.BUSINESS_LICENSE,
        valid_until=None,
        long_term=True,
        scope_categories=(),
    )
    result = verify_document(licence, CUSTOMER, today=TODAY)
    assert result.status is DocumentStatus.VERIFIED
    assert "scope" not in {c.name for c in result.checks}


def test_registration_certificate_needs_no_credit_code() -> None:
    cert = with_number(
        replace(BASE, evidence={k: v for k, v in BASE.evidence.items() if k != "uscc"}),
        "国械注准20213060123",
        doc_type=CT.REGISTRATION_CERTIFICATE,
        uscc=None,
    )
    assert status_of(cert) is DocumentStatus.VERIFIED


@pytest.mark.parametrize(
    ("until", "reminder"),
    [(date(2025, 8, 1), 90), (date(2025, 7, 1), 30), (date(2026, 1, 1), None)],
)
def test_reminders(until: date, reminder: int | None) -> None:
    result = verify_document(replace(BASE, valid_until=until, valid_from=date(2020, 7, 2)), CUSTOMER, today=TODAY)
    assert result.reminder_due == reminder
    assert result.days_to_expiry == (until - TODAY).days


def test_checks_carry_evidence() -> None:
    result = verify_document(BASE, CUSTOMER, today=TODAY)
    by_name = {c.name: c for c in result.checks}
    assert set(by_name) >= {
        "document_type",
        "confidence",
        "holder_name",
        "uscc",
        "license_number",
        "validity",
        "scope",
    }
    assert all(c.outcome is CheckOutcome.PASS for c in result.checks)
    assert "rapidocr" in by_name["holder_name"].detail and "0.95" in by_name["holder_name"].detail
    mismatch = verify_document(
        replace(BASE, uscc=OTHER_USCC, evidence={**BASE.evidence, "uscc": ev(OTHER_USCC)}),
        CUSTOMER,
        today=TODAY,
    )
    failed = {c.name: c for c in mismatch.failed()}
    assert failed["uscc"].outcome is CheckOutcome.FAIL
    assert OTHER_USCC in failed["uscc"].detail and USCC in failed["uscc"].detail


def test_declared_type_disagreeing_goes_to_review() -> None:
    assert status_of(BASE, expected_type=CT.PRODUCTION_LICENSE) is DocumentStatus.NEEDS_REVIEW


def test_json_contract_keys() -> None:
    data = BASE.to_json_dict()
    assert set(data) >= {
        "doc_type",
        "license_number",
        "holder_name",
        "uscc",
        "valid_from",
        "valid_until",
        "issuing_authority",
        "scope_categories",
        "confidence",
        "engine",
    }
    assert data["doc_type"] == "operation_license"
    assert data["valid_until"] == "2027-05-19"
    assert data["scope_categories"] == ["06", "07", "6840"]


# One coverage rule: the upload's scope check and the order gate give the same answer.
@pytest.mark.parametrize(
    ("scope", "classes", "purchase", "covered"),
    [
        (("06",), (DeviceClass.III,), Purchase(DeviceClass.III, "06-01"), True),  # sub-code of a scope entry
        (("06-01",), (DeviceClass.III,), Purchase(DeviceClass.III, "06"), False),  # the parent is wider
        ((" 6840 ",), (DeviceClass.III,), Purchase(DeviceClass.III, "6840"), True),
        (("68",), (DeviceClass.III,), Purchase(DeviceClass.III, "6840"), False),  # old codes match exactly
        (("06",), (DeviceClass.II,), Purchase(DeviceClass.III, "06"), False),  # class not on the licence
        (("07",), (), Purchase(DeviceClass.III, "06"), False),
    ],
)
def test_the_scope_check_applies_the_gates_coverage_rule(
    scope: tuple[str, ...], classes: tuple[DeviceClass, ...], purchase: Purchase, covered: bool
) -> None:
    policy = load_policy()
    customer = replace(CUSTOMER, purchases=(purchase,))
    result = verify_document(
        replace(BASE, scope_categories=scope, device_classes=classes), customer, today=TODAY, policy=policy
    )
    scope_check = next(c for c in result.checks if c.name == "scope")
    held = Certificate("operation_license", tuple(c.value for c in classes), scope, BASE.valid_until)
    assert covers_line(held, purchase.device_class.value, purchase.category, policy) is covered
    assert (scope_check.outcome is not CheckOutcome.FAIL) is covered, scope_check.detail


def test_the_policy_file_decides_which_classes_an_upload_answers_for() -> None:
    policy = load_policy()
    customer = replace(CUSTOMER, purchases=(Purchase(DeviceClass.II, "22"),))
    # As shipped the operation licence is the licence for class III only: a class II
    # purchase is the filing's business, so this licence's scope is not held to it.
    assert (
        next(c for c in verify_document(BASE, customer, today=TODAY, policy=policy).checks if c.name == "scope").outcome
        is CheckOutcome.PASS
    )
    rule = policy.gate.covers["operation_license"]
    stricter = replace(
        policy,
        gate=replace(
            policy.gate,
            covers={**policy.gate.covers, "operation_license": replace(rule, required_for=frozenset({"II", "III"}))},
        ),
    )
    check = next(c for c in verify_document(BASE, customer, today=TODAY, policy=stricter).checks if c.name == "scope")
    assert check.outcome is CheckOutcome.FAIL


def test_the_reminder_follows_the_policys_expiry_ladder() -> None:
    policy = load_policy()
    rungs = sorted(int(r.at) for r in policy.warnings.license_expiring)
    inside = replace(BASE, valid_until=TODAY + timedelta(days=rungs[0] - 1))
    assert verify_document(inside, CUSTOMER, today=TODAY, policy=policy).reminder_due == rungs[0]
    ladder = replace(policy, warnings=replace(policy.warnings, license_expiring=policy.warnings.license_expiring[:1]))
    assert verify_document(inside, CUSTOMER, today=TODAY, policy=ladder).reminder_due == int(
        ladder.warnings.license_expiring[0].at
    )
