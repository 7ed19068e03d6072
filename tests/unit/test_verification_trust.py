"""What the verifier refuses to trust: impossible documents, contradicted history,
registry disagreements, and matches that exist only after an OCR repair."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from verification import HeldDocument, RegistryRecord, verify_document
from verification.checks import CustomerFacts, Purchase
from verification.consistency import authority_province, breaches, number_province
from verification.registry import MemoryRegistry
from verification.rules import DEFAULT_RULES, load_rules
from verification.types import CertificateType as CT
from verification.types import CheckOutcome, DeviceClass, DocumentStatus, ExtractedFields, FieldEvidence

TODAY = date(2025, 6, 1)
USCC = "91320105MA1XYW8Q5R"
NAME = "国药控股（南京）医疗器械有限公司"


def ev(raw: str, conf: float = 0.95) -> FieldEvidence:
    return FieldEvidence(raw=raw, engine="rapidocr", confidence=conf)


def licence(number: str = "苏宁药监械经营许20220089号", **changes: object) -> ExtractedFields:
    base = ExtractedFields(
        doc_type=CT.OPERATION_LICENSE,
        license_number=number,
        holder_name=NAME,
        uscc=USCC,
        valid_from=date(2022, 5, 20),
        valid_until=date(2027, 5, 19),
        issuing_authority="南京市市场监督管理局",
        scope_categories=("06", "07"),
        device_classes=(DeviceClass.II, DeviceClass.III),
        confidence=0.93,
        engine="rapidocr",
    )
    fields = replace(base, **changes)  # type: ignore[arg-type]
    # Evidence as a clean reading would record it: the raw text is what is printed.
    printed = {
        "holder_name": fields.holder_name,
        "uscc": fields.uscc,
        "license_number": fields.license_number,
        "valid_until": fields.valid_until and f"{fields.valid_until:%Y年%m月%d日}",
        "valid_from": fields.valid_from and f"{fields.valid_from:%Y年%m月%d日}",
    }
    evidence = {name: ev(raw) for name, raw in printed.items() if raw}
    return replace(fields, evidence={**evidence, **fields.evidence})


CUSTOMER = CustomerFacts(legal_name=NAME, uscc=USCC, purchases=(Purchase(DeviceClass.III, "06"),))


def check(fields: ExtractedFields, name: str, **kw: object):  # type: ignore[no-untyped-def]
    result = verify_document(fields, CUSTOMER, today=TODAY, **kw)  # type: ignore[arg-type]
    return result.status, {c.name: c for c in result.checks}[name]


# --- consistency rules, one row per rule -------------------------------------------

FILING = licence(
    "苏宁药监械经营备20220089号",
    doc_type=CT.CLASS2_FILING,
    valid_until=None,
    device_classes=(DeviceClass.II,),
)


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        # six years instead of five
        (licence(valid_until=date(2028, 5, 19)), "terms.max_years"),
        # the number says first issued in 2023, the document in 2022
        (licence("苏宁药监械经营许20230089号"), "number_year"),
        (licence(doc_type=CT.PRODUCTION_LICENSE, number="苏药监械生产许20240001号"), "number_year"),
        # a filing with an end date
        (replace(FILING, valid_until=date(2027, 5, 19)), "filing.no_end_date"),
        # a filing listing class III
        (replace(FILING, device_classes=(DeviceClass.II, DeviceClass.III)), "class_three"),
        # a Jiangsu number issued by the Zhejiang administration
        (licence(issuing_authority="浙江省药品监督管理局"), "place"),
        # a national registration number issued by a province
        (
            licence(
                "国械注准20213060123",
                doc_type=CT.REGISTRATION_CERTIFICATE,
                issuing_authority="江苏省药品监督管理局",
                valid_from=date(2021, 3, 1),
                valid_until=date(2026, 2, 28),
            ),
            "place",
        ),
    ],
)
def test_impossible_documents_go_to_a_person_naming_the_rule(fields: ExtractedFields, rule: str) -> None:
    status, consistency = check(fields, "consistency")
    assert status is DocumentStatus.NEEDS_REVIEW
    assert consistency.outcome is CheckOutcome.FAIL
    assert f"rule {rule}:" in consistency.detail


@pytest.mark.parametrize(
    "fields",
    [
        licence(),
        # a reissue keeps the original end: a shorter term is normal
        licence(valid_from=date(2024, 1, 10)),
        # a renewal keeps the number: its year may be earlier than the issue date
        licence("苏宁药监械经营许20170089号"),
        FILING,
        # a city-level authority names no province: nothing to compare
        licence(issuing_authority="南京市市场监督管理局"),
        licence(issuing_authority="江苏省药品监督管理局"),
    ],
)
def test_possible_documents_break_no_rule(fields: ExtractedFields) -> None:
    assert breaches(fields, DEFAULT_RULES) == []
    status, consistency = check(fields, "consistency")
    assert consistency.outcome is CheckOutcome.PASS
    assert status is DocumentStatus.VERIFIED


def test_places_are_read_from_numbers_and_authorities() -> None:
    assert number_province("苏宁药监械经营许20220089号") == "苏"
    assert number_province("国械注准20213060123") == "国"
    assert authority_province("国家药品监督管理局") == "国"
    assert authority_province("内蒙古自治区药品监督管理局") == "蒙"
    assert authority_province("南京市市场监督管理局") is None


def test_rules_are_data_a_deployment_can_change(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from importlib import resources

    text = resources.files("verification").joinpath("rules.toml").read_text(encoding="utf-8")
    custom = tmp_path / "rules.toml"
    custom.write_text(text.replace("operation_license = 5", "operation_license = 10"), encoding="utf-8")
    rules = load_rules(custom)
    long_term = licence(valid_until=date(2030, 5, 19))
    assert breaches(long_term, DEFAULT_RULES)
    assert breaches(long_term, rules) == []


# --- history ------------------------------------------------------------------------

HELD_LICENCE = HeldDocument(
    CT.OPERATION_LICENSE, "苏宁药监械经营许20220089号", NAME, USCC, date(2022, 5, 20), date(2027, 5, 19)
)
HELD_FILING = HeldDocument(CT.CLASS2_FILING, "苏宁药监械经营备20220089号", NAME, USCC, date(2022, 5, 20), None)


@pytest.mark.parametrize(
    ("fields", "held", "finding"),
    [
        # a filing edited into a licence keeps its serial
        (licence(), HELD_FILING, "type_changed"),
        # one digit of the number changed, same issue date
        (licence("苏宁药监械经营许20220098号"), HELD_LICENCE, "number_changed"),
        # end date moved, issue date the same
        (licence(valid_until=date(2027, 11, 19)), HELD_LICENCE, "end_moved"),
        # both dates moved three years: not a renewal, which comes near the old end
        (licence(valid_from=date(2025, 5, 20), valid_until=date(2030, 5, 19)), HELD_LICENCE, "renewal_too_early"),
        (licence(holder_name="国药控股（苏州）医疗器械有限公司"), HELD_LICENCE, "holder_changed"),
        (licence(uscc="91320105190748334N"), HELD_LICENCE, "uscc_changed"),
    ],
)
def test_contradicting_what_the_customer_holds_is_named(
    fields: ExtractedFields, held: HeldDocument, finding: str
) -> None:
    status, history = check(fields, "history", history=[held])
    assert history.outcome is CheckOutcome.FAIL
    assert history.detail.startswith(f"{finding}:") or f"; {finding}:" in history.detail
    assert status is not DocumentStatus.VERIFIED


@pytest.mark.parametrize(
    "fields",
    [
        licence(),  # the same licence again
        # a genuine renewal: issued shortly before the old end, a new five-year term
        licence(valid_from=date(2027, 3, 1), valid_until=date(2032, 2, 29)),
        # a new licence with a new number and a later issue date
        licence("苏宁药监械经营许20250101号", valid_from=date(2025, 3, 1), valid_until=date(2030, 2, 28)),
    ],
)
def test_agreeing_with_history_passes(fields: ExtractedFields) -> None:
    today = date(2027, 4, 1)
    other_filing = replace(HELD_FILING, license_number="苏宁药监械经营备20210311号", valid_from=date(2021, 2, 1))
    result = verify_document(fields, CUSTOMER, today=today, history=[HELD_LICENCE, other_filing])
    history = {c.name: c for c in result.checks}["history"]
    assert history.outcome is CheckOutcome.PASS, history.detail


# --- registry -----------------------------------------------------------------------

GENUINE = RegistryRecord(
    CT.OPERATION_LICENSE, "苏宁药监械经营许20220089号", NAME, USCC, date(2022, 5, 20), date(2027, 5, 19)
)
REGISTRY = MemoryRegistry([GENUINE, RegistryRecord(CT.CLASS2_FILING, "苏宁药监械经营备20230001号", NAME, USCC)])


def registry_check(fields: ExtractedFields):  # type: ignore[no-untyped-def]
    answer = REGISTRY.lookup(fields, holder_uscc=USCC, holder_name=NAME)
    return check(fields, "registry", registry=answer)


def test_a_document_agreeing_with_its_record_passes() -> None:
    status, registry = registry_check(licence())
    assert (status, registry.outcome) == (DocumentStatus.VERIFIED, CheckOutcome.PASS)


@pytest.mark.parametrize(
    ("fields", "evidence"),
    [
        (licence(valid_until=date(2027, 5, 29)), "valid_until: registry 2027-05-19, read 2027-05-29"),
        (licence(valid_from=date(2023, 5, 20), valid_until=date(2028, 5, 19)), "valid_from: registry 2022-05-20"),
        # a number changed by one digit: the registry knows this holder's real licence
        (licence("苏宁药监械经营许20220088号"), "lists this holder's operation_license as 苏宁药监械经营许20220089号"),
        # a filing upgraded into a licence: the serial is listed as a filing
        (licence("苏宁药监械经营许20230001号"), "lists this serial as class2_filing"),
    ],
)
def test_a_confident_disagreement_with_the_registry_is_a_mismatch(fields: ExtractedFields, evidence: str) -> None:
    status, registry = registry_check(fields)
    assert status is DocumentStatus.MISMATCH
    assert registry.outcome is CheckOutcome.FAIL
    assert evidence in registry.detail


def test_an_unsure_disagreement_goes_to_a_person() -> None:
    unsure = licence(valid_until=date(2027, 5, 29))
    unsure = replace(unsure, evidence={**unsure.evidence, "valid_until": ev("2027年05月29日", 0.5)})
    status, registry = registry_check(unsure)
    assert (status, registry.outcome) == (DocumentStatus.NEEDS_REVIEW, CheckOutcome.WARN)


def test_a_number_the_registry_does_not_list_is_not_a_failure() -> None:
    other_customer = CustomerFacts(legal_name="南京某某医疗器械有限公司", uscc="91320105190748334N")
    fields = licence(
        holder_name=other_customer.legal_name, uscc=other_customer.uscc, number="苏宁药监械经营许20210001号"
    )
    answer = REGISTRY.lookup(fields, holder_uscc=other_customer.uscc, holder_name=other_customer.legal_name)
    result = verify_document(fields, other_customer, today=TODAY, registry=answer)
    registry = {c.name: c for c in result.checks}["registry"]
    assert registry.outcome is CheckOutcome.PASS and "not listed" in registry.detail
    assert result.status is DocumentStatus.VERIFIED


# --- evidence discipline ------------------------------------------------------------


def test_a_credit_code_matching_only_after_repair_is_not_a_pass() -> None:
    # The printed check character was changed (…Q5X); the repair turned it back.
    fields = licence(evidence={**licence().evidence, "uscc": ev("91320105MA1XYW8Q5X")})
    status, uscc = check(fields, "uscc")
    assert uscc.outcome is CheckOutcome.WARN and "only after repairing" in uscc.detail
    assert status is DocumentStatus.NEEDS_REVIEW


def test_a_number_read_only_after_substitution_is_not_a_pass() -> None:
    fields = licence(evidence={**licence().evidence, "license_number": ev("苏宁药监械经营许2O22OO89号")})
    status, number = check(fields, "license_number")
    assert number.outcome is CheckOutcome.WARN and status is DocumentStatus.NEEDS_REVIEW


@pytest.mark.parametrize(
    ("confidence", "status"), [(0.42, DocumentStatus.NEEDS_REVIEW), (0.95, DocumentStatus.EXPIRED)]
)
def test_only_a_confident_reading_blocks_as_expired(confidence: float, status: DocumentStatus) -> None:
    fields = licence(valid_until=date(2025, 5, 19))
    fields = replace(fields, evidence={**fields.evidence, "valid_until": ev("2025年05月19日", confidence)})
    got, validity = check(fields, "validity")
    assert got is status
    assert "2025-05-19" in validity.detail and "rapidocr" in validity.detail
