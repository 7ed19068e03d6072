"""Onboarding (首营审核) on the real stack: standards per customer type, the sign-off, the
order gate holding ONBOARDING_INCOMPLETE, and the fall-back when a required licence lapses."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from motor.motor_asyncio import AsyncIOMotorClient
from starlette.testclient import TestClient

from common.roles import Role
from tests.docgen import Truth, make_truth, render_text_pdf
from tests.integration.test_documents import DOCUMENT, customer_for, fresh_truth, upload

pytestmark = pytest.mark.integration

ONBOARDING = """query($id: ID!) { customer(id: $id) {
  onboarding { status missing expiringSoon reviewedBy reviewedAt nextReviewOn
               requirements { key met } reviews { decision reviewedBy note } }
  warnings { kind severity notifyRoles } } }"""
APPROVE = """mutation($id: ID!, $note: String) { approveOnboarding(customerId: $id, note: $note) {
  customer { onboarding { status reviewedBy nextReviewOn } } errors { field code message } } }"""
SUBMIT = """mutation($i: SubmitOrderInput!) { submitOrder(input: $i) {
  order { status holdReasons } errors { code message } } }"""
QUEUE = """query($s: OnboardingStatus!, $after: String) { onboardingQueue(status: $s, first: 100, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }"""


def business_licence_for(truth: Truth, seed: int) -> Truth:
    """A business licence of the same holder (its number is the holder's credit code)."""
    base = make_truth("business_license", random.Random(seed))
    assert truth.uscc is not None
    return replace(base, holder_name=truth.holder_name, uscc=truth.uscc, license_number=truth.uscc, valid_until=None)


def upload_verified(client: TestClient, gql, token_for, worker, cid: str, truth: Truth, seed: int) -> None:  # type: ignore[no-untyped-def]
    pdf = render_text_pdf(truth, random.Random(seed))
    doc = upload(client, token_for(Role.ONBOARDING), cid, f"{truth.doc_type}.pdf", pdf, "application/pdf")
    worker.drain()
    read = gql(DOCUMENT, {"id": doc["document"]["id"]})["data"]["document"]
    assert read["status"] == "VERIFIED", [c for c in read["checks"] if c["outcome"] != "PASS"]


def onboard(client: TestClient, gql, token_for, worker, truth: Truth, seed: int, limit: str = "100000") -> str:  # type: ignore[no-untyped-def]
    """A distributor holding ``truth`` and a business licence, signed off, with a credit limit."""
    cid = customer_for(gql, truth)
    gql(
        'mutation($id: ID!, $l: Decimal!) { setCreditLimit(customerId: $id, limit: $l, reason: "onboarding") '
        "{ errors { code } } }",
        {"id": cid, "l": limit},
        Role.CREDIT_MANAGER,
    )
    upload_verified(client, gql, token_for, worker, cid, business_licence_for(truth, seed), seed)
    upload_verified(client, gql, token_for, worker, cid, truth, seed + 1)
    approved = gql(APPROVE, {"id": cid, "note": "首营资料齐全"}, Role.ONBOARDING)["data"]["approveOnboarding"]
    assert approved["errors"] == [], approved
    worker.drain()
    return cid


def order(gql, cid: str, device_class: str, category: str) -> dict:  # type: ignore[no-untyped-def]
    line = {"sku": "S-1", "deviceClass": device_class, "category": category, "quantity": 1, "unitPrice": "100.00"}
    i = {"customerId": cid, "externalRef": f"PO-{random.random()}", "lines": [line]}
    return gql(SUBMIT, {"i": i}, Role.SALES)["data"]["submitOrder"]["order"]


def queue_ids(gql, status: str) -> set[str]:  # type: ignore[no-untyped-def]
    ids: set[str] = set()
    after = None
    while True:  # the whole queue: other tests' customers share the database
        body = gql(QUEUE, {"s": status, "after": after}, Role.ONBOARDING)["data"]["onboardingQueue"]
        ids.update(e["node"]["id"] for e in body["edges"])
        if not body["pageInfo"]["hasNextPage"]:
            return ids
        after = body["pageInfo"]["endCursor"]


def move_end_date(settings, cid_number: str, days_ago: int) -> None:  # type: ignore[no-untyped-def]
    """Let time pass for one licence: its last valid day becomes ``days_ago`` days back."""

    async def run() -> None:
        client: AsyncIOMotorClient = AsyncIOMotorClient(settings.mongodb_url)
        try:
            end = datetime.combine(datetime.now(UTC).date() - timedelta(days=days_ago), datetime.min.time(), UTC)
            result = await client[settings.mongodb_db].certificates.update_one(
                {"number": cid_number}, {"$set": {"valid_until": end}}
            )
            assert result.modified_count == 1
        finally:
            client.close()

    asyncio.run(run())


def test_a_distributor_trades_only_once_its_file_is_complete_and_signed_off(  # type: ignore[no-untyped-def]
    app_client, gql, token_for, worker, settings
) -> None:
    truth = fresh_truth("operation_license", 161)
    category = next(c for c in truth.scope_categories if len(c) == 2)
    cid = customer_for(gql, truth)
    gql(
        'mutation($id: ID!) { setCreditLimit(customerId: $id, limit: "100000", reason: "t") { errors { code } } }',
        {"id": cid},
        Role.CREDIT_MANAGER,
    )
    # A business licence only: the distributor standard also asks for a device trade licence.
    upload_verified(app_client, gql, token_for, worker, cid, business_licence_for(truth, 161), 161)
    state = gql(ONBOARDING, {"id": cid})["data"]["customer"]["onboarding"]
    assert state["status"] == "INCOMPLETE"
    assert state["missing"] == ["医疗器械经营许可证或第二类医疗器械经营备案凭证"]
    assert {r["key"]: r["met"] for r in state["requirements"]} == {"legal_entity": True, "device_trade": False}
    assert cid in queue_ids(gql, "INCOMPLETE")
    held = order(gql, cid, "III", category)
    assert (held["status"], held["holdReasons"]) == ("HELD", ["QUALIFICATION_MISSING", "ONBOARDING_INCOMPLETE"])
    assert order(gql, cid, "I", "01")["status"] == "APPROVED", "class I is exempt by the default policy"

    refused = gql(APPROVE, {"id": cid, "note": "x"}, Role.ONBOARDING)["data"]["approveOnboarding"]
    assert [e["code"] for e in refused["errors"]] == ["INVALID_STATE"]
    assert "医疗器械经营许可证" in refused["errors"][0]["message"]
    forbidden = gql(APPROVE, {"id": cid, "note": "x"}, Role.SALES)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    upload_verified(app_client, gql, token_for, worker, cid, truth, 162)
    assert gql(ONBOARDING, {"id": cid})["data"]["customer"]["onboarding"]["status"] == "READY_FOR_REVIEW"
    assert cid in queue_ids(gql, "READY_FOR_REVIEW")
    still_held = order(gql, cid, "III", category)
    assert still_held["holdReasons"] == ["ONBOARDING_INCOMPLETE"], "complete is not yet reviewed"

    approved = gql(APPROVE, {"id": cid, "note": "首营资料齐全"}, Role.ONBOARDING, subject="li.na")
    assert approved["data"]["approveOnboarding"]["errors"] == []
    worker.drain()
    state = gql(ONBOARDING, {"id": cid})["data"]["customer"]["onboarding"]
    today = datetime.now(UTC).date()
    assert (state["status"], state["reviewedBy"]) == ("APPROVED", "li.na")
    assert state["nextReviewOn"] == (today + timedelta(days=365)).isoformat()
    assert state["reviews"] == [{"decision": "APPROVED", "reviewedBy": "li.na", "note": "首营资料齐全"}]
    assert order(gql, cid, "III", category)["status"] == "APPROVED"
    assert cid in queue_ids(gql, "APPROVED")

    # A suspension holds orders until the file is signed off again.
    suspend = 'mutation($id: ID!) { suspendOnboarding(customerId: $id, note: "核查中") { errors { code } } }'
    assert gql(suspend, {"id": cid}, Role.SALES)["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert gql(suspend, {"id": cid}, Role.CREDIT_MANAGER)["data"]["suspendOnboarding"]["errors"] == []
    assert gql(ONBOARDING, {"id": cid})["data"]["customer"]["onboarding"]["status"] == "SUSPENDED"
    assert order(gql, cid, "III", category)["holdReasons"] == ["ONBOARDING_INCOMPLETE"]
    again = gql(APPROVE, {"id": cid, "note": "核查完毕"}, Role.CREDIT_MANAGER)["data"]["approveOnboarding"]
    assert again["errors"] == [] and again["customer"]["onboarding"]["status"] == "APPROVED"
    worker.drain()
    assert order(gql, cid, "III", category)["status"] == "APPROVED"
    audit = gql(
        "query($id: ID!) { auditLog(customerId: $id) { action actor detail } }", {"id": cid}, Role.CREDIT_MANAGER
    )["data"]["auditLog"]
    assert any(a["action"] == "ONBOARDING_APPROVED" and a["actor"] == "li.na" for a in audit)

    # The operation licence's last day passes: orders are held again at once, and the
    # nightly sweep lapses the sign-off, tells subscribers and warns ONBOARDING.
    move_end_date(settings, truth.license_number, 1)
    assert order(gql, cid, "III", category)["holdReasons"] == ["QUALIFICATION_EXPIRED", "ONBOARDING_INCOMPLETE"]
    from workers import actors

    actors.expiry_sweep.send()
    worker.drain()
    body = gql(ONBOARDING, {"id": cid})["data"]["customer"]
    assert body["onboarding"]["status"] == "EXPIRED"
    assert body["onboarding"]["missing"] == ["医疗器械经营许可证或第二类医疗器械经营备案凭证"]
    lapsed = next(w for w in body["warnings"] if w["kind"] == "ONBOARDING_LAPSED")
    assert "ONBOARDING" in lapsed["notifyRoles"]
    assert cid in queue_ids(gql, "EXPIRED")
    events = gql(
        "query($id: ID!) { events(customerId: $id, last: 100) { edges { node { type severity payload } } } }",
        {"id": cid},
    )["data"]["events"]["edges"]
    fallen = [e["node"] for e in events if e["node"]["type"] == "ONBOARDING_STATUS"]
    assert any(e["payload"]["status"] == "EXPIRED" and e["severity"] == "HIGH" for e in fallen), fallen
    assert order(gql, cid, "III", category)["status"] == "HELD"


def test_a_hospital_standard_needs_its_practising_licence(gql) -> None:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"
    cid = gql(q, {"i": {"code": f"H-{random.random()}", "legalName": "某某市人民医院", "type": "HOSPITAL"}})["data"][
        "createCustomer"
    ]["customer"]["id"]
    state = gql(ONBOARDING, {"id": cid})["data"]["customer"]["onboarding"]
    assert state["status"] == "INCOMPLETE"
    assert state["missing"] == ["医疗机构执业许可证", "营业执照或事业单位法人证书"]
    assert state["reviewedBy"] is None and state["nextReviewOn"] is None
