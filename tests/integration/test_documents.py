"""Qualification documents end to end: multipart upload, the real worker, verification,
certificates, the review queue and the expiry watch."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from common.roles import Role
from tests.conftest import unique
from tests.docgen import (
    Truth,
    corrupt_pdf,
    encrypted_pdf,
    make_truth,
    not_a_document,
    render_scan,
    render_text_pdf,
)

pytestmark = pytest.mark.integration

UPLOAD = """mutation($customerId: ID!, $file: Upload!, $type: CertificateType) {
  uploadQualificationDocument(customerId: $customerId, file: $file, certificateType: $type) {
    document { id status fileName } errors { field code message } } }"""
DOCUMENT = """query($id: ID!) { document(id: $id) {
  status certificateType processedAt checks { name outcome detail }
  extracted { licenseNumber holderName uscc validUntil scopeCategories deviceClasses }
  customer { certificates { type number validUntil scopeCategories sourceDocument { id } } } } }"""


def upload(
    client: TestClient,
    token: str,
    customer_id: str,
    name: str,
    data: bytes,
    mime: str,
    cert_type: str | None = None,
) -> dict:
    operations = {
        "query": UPLOAD,
        "variables": {"customerId": customer_id, "file": None, "type": cert_type},
    }
    response = client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, data, mime)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["uploadQualificationDocument"]


def customer_for(gql, truth: Truth, *, legal_name: str | None = None, with_uscc: bool = True) -> str:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } errors { message } } }"
    i = {
        "code": unique("D"),
        "legalName": legal_name or truth.holder_name,
        "uscc": truth.uscc if with_uscc else None,
        "type": "DISTRIBUTOR",
    }
    body = gql(q, {"i": i})["data"]["createCustomer"]
    assert body["errors"] == [], body
    return body["customer"]["id"]


def fresh_truth(doc_type: str, seed: int) -> Truth:
    """A generated licence that is in force today (the generator also makes lapsed ones)."""
    truth = make_truth(doc_type, random.Random(seed))
    today = datetime.now(UTC).date()
    if truth.valid_until is not None and truth.valid_until < today + timedelta(days=365):
        truth = replace(truth, valid_from=today - timedelta(days=400), valid_until=today + timedelta(days=1400))
    return truth


def test_text_pdf_licence_is_read_verified_and_becomes_a_certificate(app_client, gql, token_for, worker) -> None:  # type: ignore[no-untyped-def]
    truth = fresh_truth("operation_license", 11)
    cid = customer_for(gql, truth)
    pdf = render_text_pdf(truth, random.Random(1))
    result = upload(app_client, token_for(Role.ONBOARDING), cid, "licence.pdf", pdf, "application/pdf")
    assert result["errors"] == [] and result["document"]["status"] == "QUEUED"
    worker.drain()
    doc = gql(DOCUMENT, {"id": result["document"]["id"]})["data"]["document"]
    assert doc["status"] == "VERIFIED", doc["checks"]
    assert doc["extracted"]["licenseNumber"] == truth.license_number
    assert doc["extracted"]["holderName"] == truth.holder_name
    assert doc["certificateType"] == "OPERATION_LICENSE"
    certificates = doc["customer"]["certificates"]
    assert [(c["type"], c["number"]) for c in certificates] == [("OPERATION_LICENSE", truth.license_number)]
    assert certificates[0]["validUntil"] == (truth.valid_until.isoformat() if truth.valid_until else None)
    assert certificates[0]["sourceDocument"]["id"] == result["document"]["id"]


def test_scanned_licence_for_another_company_is_a_mismatch_and_no_certificate(
    app_client, gql, token_for, worker
) -> None:  # type: ignore[no-untyped-def]
    truth = fresh_truth("business_license", 23)
    other = fresh_truth("business_license", 24)
    cid = customer_for(gql, other)  # the customer is someone else
    scan = render_scan(truth, random.Random(2), "clean")
    result = upload(app_client, token_for(Role.ONBOARDING), cid, "scan.png", scan, "image/png")
    worker.drain()
    doc = gql(DOCUMENT, {"id": result["document"]["id"]})["data"]["document"]
    assert doc["status"] == "MISMATCH", doc["checks"]
    failed = {c["name"] for c in doc["checks"] if c["outcome"] == "FAIL"}
    assert failed & {"holder_name", "uscc"}
    assert doc["customer"]["certificates"] == []


@pytest.mark.parametrize(
    ("name", "data", "mime", "code"),
    [
        ("empty.pdf", b"", "application/pdf", "EMPTY_FILE"),
        ("archive.pdf", not_a_document("zip"), "application/pdf", "UNSUPPORTED_TYPE"),
        ("notes.png", not_a_document("text"), "image/png", "UNSUPPORTED_TYPE"),
        ("broken.pdf", corrupt_pdf(), "application/pdf", "CORRUPT"),
        ("locked.pdf", encrypted_pdf(), "application/pdf", "ENCRYPTED"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error_and_nothing_stored(
    app_client, gql, token_for, name, data, mime, code
) -> None:  # type: ignore[no-untyped-def]
    cid = customer_for(gql, fresh_truth("business_license", 31), with_uscc=False)
    result = upload(app_client, token_for(Role.ONBOARDING), cid, name, data, mime)
    assert result["document"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("file", code)]


def test_too_large_upload_is_refused(app_client, gql, token_for, settings) -> None:  # type: ignore[no-untyped-def]
    cid = customer_for(gql, fresh_truth("business_license", 32), with_uscc=False)
    big = b"%PDF-1.4\n" + b"0" * settings.max_upload_bytes
    result = upload(app_client, token_for(Role.ONBOARDING), cid, "big.pdf", big, "application/pdf")
    assert [e["code"] for e in result["errors"]] == ["TOO_LARGE"]


def test_only_onboarding_uploads_and_same_file_twice_is_one_document(app_client, gql, token_for, worker) -> None:  # type: ignore[no-untyped-def]
    truth = fresh_truth("class2_filing", 41)
    cid = customer_for(gql, truth)
    pdf = render_text_pdf(truth, random.Random(3))
    operations = {"query": UPLOAD, "variables": {"customerId": cid, "file": None}}
    forbidden = app_client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("f.pdf", pdf, "application/pdf")},
        headers={"Authorization": f"Bearer {token_for(Role.SALES)}"},
    )
    assert forbidden.status_code == 200
    assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    first = upload(app_client, token_for(Role.ONBOARDING), cid, "f.pdf", pdf, "application/pdf")
    second = upload(app_client, token_for(Role.ONBOARDING), cid, "again.pdf", pdf, "application/pdf")
    assert first["document"]["id"] == second["document"]["id"]
    worker.drain()


def test_review_queue_and_a_persons_decision(app_client, gql, token_for, worker) -> None:  # type: ignore[no-untyped-def]
    truth = fresh_truth("operation_license", 51)
    # The customer's legal name is written differently from the licence: a person decides.
    cid = customer_for(gql, truth, legal_name=(truth.holder_name or "") + "第一分公司")
    pdf = render_text_pdf(truth, random.Random(4))
    doc_id = upload(app_client, token_for(Role.ONBOARDING), cid, "l.pdf", pdf, "application/pdf")["document"]["id"]
    worker.drain()
    status = gql(DOCUMENT, {"id": doc_id})["data"]["document"]["status"]
    assert status in ("NEEDS_REVIEW", "MISMATCH")
    if status == "NEEDS_REVIEW":
        queue = gql("{ reviewQueue(first: 200) { id } }")["data"]["reviewQueue"]
        assert doc_id in {d["id"] for d in queue}
    review = """mutation($id: ID!, $ok: Boolean!, $note: String!) { reviewDocument(id: $id, approve: $ok, note: $note) {
      document { status reviewNote } errors { field code } } }"""
    forbidden = gql(review, {"id": doc_id, "ok": True, "note": "x"}, Role.ONBOARDING)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    no_note = gql(review, {"id": doc_id, "ok": True, "note": ""}, Role.CREDIT_MANAGER)["data"]["reviewDocument"]
    assert [(e["field"], e["code"]) for e in no_note["errors"]] == [("note", "REQUIRED")]
    decided = gql(
        review,
        {"id": doc_id, "ok": True, "note": "branch of the same company, checked by phone"},
        Role.CREDIT_MANAGER,
    )["data"]["reviewDocument"]
    assert decided["errors"] == [] and decided["document"]["status"] == "VERIFIED"
    assert decided["document"]["reviewNote"].startswith("branch")
    again = gql(review, {"id": doc_id, "ok": False, "note": "x"}, Role.CREDIT_MANAGER)["data"]["reviewDocument"]
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]
    certs = gql(DOCUMENT, {"id": doc_id})["data"]["document"]["customer"]["certificates"]
    assert [c["number"] for c in certs] == [truth.license_number]


def test_expiring_certificates_and_the_expiry_sweep(app_client, gql, token_for, worker) -> None:  # type: ignore[no-untyped-def]
    today = datetime.now(UTC).date()
    base = fresh_truth("operation_license", 61)
    soon = replace(base, valid_from=today - timedelta(days=1800), valid_until=today + timedelta(days=20))
    cid = customer_for(gql, soon)
    pdf = render_text_pdf(soon, random.Random(5))
    doc_id = upload(app_client, token_for(Role.ONBOARDING), cid, "soon.pdf", pdf, "application/pdf")["document"]["id"]
    worker.drain()
    assert gql(DOCUMENT, {"id": doc_id})["data"]["document"]["status"] == "VERIFIED"
    expiring = gql("{ expiringCertificates(withinDays: 30) { number daysToExpiry } }")["data"]["expiringCertificates"]
    assert {"number": soon.license_number, "daysToExpiry": 20} in expiring
    far = gql("{ expiringCertificates(withinDays: 10) { number } }")["data"]["expiringCertificates"]
    assert soon.license_number not in {c["number"] for c in far}
    from workers import actors

    actors.expiry_sweep.send()
    worker.drain()
    warnings = gql(
        "query($id: ID!) { customer(id: $id) { warnings { kind severity notifyRoles } } }",
        {"id": cid},
    )
    kinds = {w["kind"]: w for w in warnings["data"]["customer"]["warnings"]}
    assert kinds["LICENSE_EXPIRING"]["severity"] == "MEDIUM"
    assert "ONBOARDING" in kinds["LICENSE_EXPIRING"]["notifyRoles"]
