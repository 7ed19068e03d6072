"""Customer changes over GraphQL: audited before/after, a new name sends the licences
back to review (orders for licensed classes are held until a person confirms), terms
need a credit manager, and archiving keeps the history."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from common.roles import Role
from tests.docgen import render_text_pdf
from tests.integration.test_documents import DOCUMENT, fresh_truth, upload
from tests.integration.test_onboarding import APPROVE, business_licence_for, onboard
from tests.integration.test_orders import line, new_customer, submit

pytestmark = pytest.mark.integration

UPDATE = """mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) {
  customer { legalName region uscc attributes credit { paymentTermDays } certificates { type } }
  errors { field code message } } }"""
DOCUMENTS = """query($id: ID!) { customer(id: $id) { documents(first: 10) { edges { node { id status } } } } }"""
ARCHIVE = """mutation($id: ID!, $r: String!) { archiveCustomer(id: $id, reason: $r) {
  customer { id archived } errors { field code } } }"""


def test_changes_are_audited_and_terms_need_a_credit_manager(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    changed = gql(UPDATE, {"id": cid, "i": {"region": "浙江", "attributes": {"tier": "gold"}}}, Role.SALES)
    customer = changed["data"]["updateCustomer"]["customer"]
    assert (customer["region"], customer["attributes"]) == ("浙江", {"tier": "gold"})
    terms = gql(UPDATE, {"id": cid, "i": {"paymentTermDays": 90}}, Role.SALES)["data"]["updateCustomer"]
    assert [(e["field"], e["code"]) for e in terms["errors"]] == [("paymentTermDays", "FORBIDDEN")]
    ok = gql(UPDATE, {"id": cid, "i": {"paymentTermDays": 90}}, Role.CREDIT_MANAGER)["data"]["updateCustomer"]
    assert ok["customer"]["credit"]["paymentTermDays"] == 90
    bad = gql(UPDATE, {"id": cid, "i": {"legalName": " ", "uscc": "91330100MA27XXXX1X"}}, Role.SALES)
    assert sorted(e["code"] for e in bad["data"]["updateCustomer"]["errors"]) == ["INVALID_CHECKSUM", "REQUIRED"]
    audit = gql("query($id: ID!) { auditLog(customerId: $id) { action detail } }", {"id": cid}, Role.CREDIT_MANAGER)
    rows = [r for r in audit["data"]["auditLog"] if r["action"] == "CUSTOMER_UPDATED"]
    regions = [r["detail"] for r in rows if "region" in r["detail"]["after"]]
    assert regions == [
        {"before": {"region": None, "attributes": {}}, "after": {"region": "浙江", "attributes": {"tier": "gold"}}}
    ]


def test_a_new_legal_name_sends_licences_back_to_review(app_client, gql, token_for, worker) -> None:  # type: ignore[no-untyped-def]
    truth = fresh_truth("operation_license", 1414)
    # A distributor with its business licence and operation licence verified and signed off.
    cid = onboard(app_client, gql, token_for, worker, truth, 84)
    covered = next(c for c in truth.scope_categories if len(c) == 2)
    assert submit(gql, cid, [line("III", covered)])["order"]["status"] == "APPROVED"
    renamed = gql(UPDATE, {"id": cid, "i": {"legalName": "杭州新名医疗器械有限公司"}}, Role.ONBOARDING)
    assert renamed["data"]["updateCustomer"]["errors"] == []
    docs = gql(DOCUMENTS, {"id": cid})["data"]["customer"]["documents"]["edges"]
    assert {d["node"]["status"] for d in docs} == {"NEEDS_REVIEW"}, "every licence names the old holder"
    held = submit(gql, cid, [line("III", covered)])["order"]
    assert "QUALIFICATION_MISSING" in held["holdReasons"], "a licence naming someone else covers nothing"
    # The licences are changed (变更) to the new name; each differs from the accepted one
    # in its holder, which the verifier names (history: holder_changed) for a person.
    new_name = "杭州新名医疗器械有限公司"
    reissued = [replace(truth, holder_name=new_name), business_licence_for(replace(truth, holder_name=new_name), 84)]
    review = 'mutation($id: ID!) { reviewDocument(id: $id, approve: true, note: "变更后的许可证") { errors { code } } }'
    for i, licence in enumerate(reissued):
        pdf = render_text_pdf(licence, random.Random(90 + i))
        doc = upload(app_client, token_for(Role.ONBOARDING), cid, f"new-{i}.pdf", pdf, "application/pdf")["document"]
        worker.drain()
        read = gql(DOCUMENT, {"id": doc["id"]})["data"]["document"]
        assert read["status"] == "NEEDS_REVIEW"
        assert "holder_changed" in {c["name"]: c for c in read["checks"]}["history"]["detail"]
        assert gql(review, {"id": doc["id"]}, Role.CREDIT_MANAGER)["data"]["reviewDocument"]["errors"] == []
    worker.drain()
    # The file fell back with the old licences: it needs a new sign-off before licensed trade.
    approved = gql(APPROVE, {"id": cid, "note": "更名后复核"}, Role.ONBOARDING)["data"]["approveOnboarding"]
    assert approved["errors"] == [], approved
    assert submit(gql, cid, [line("III", covered)])["order"]["status"] == "APPROVED"


def test_an_archived_customer_keeps_its_history_and_trades_no_more(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    before = submit(gql, cid, [line()])["order"]
    sales = gql(ARCHIVE, {"id": cid, "r": "merged into another customer"}, Role.SALES)
    assert sales["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    archived = gql(ARCHIVE, {"id": cid, "r": "merged into another customer"}, Role.CREDIT_MANAGER)
    assert archived["data"]["archiveCustomer"]["customer"] == {"id": cid, "archived": True}
    assert submit(gql, cid, [line()])["order"]["holdReasons"] == ["CUSTOMER_BLOCKED"]
    q = "query($id: ID!) { customer(id: $id) { orders { edges { node { id } } } } }"
    orders = gql(q, {"id": cid})["data"]["customer"]["orders"]["edges"]
    assert before["id"] in [e["node"]["id"] for e in orders]
    change = gql(UPDATE, {"id": cid, "i": {"region": "x"}}, Role.CREDIT_MANAGER)["data"]["updateCustomer"]
    assert [e["code"] for e in change["errors"]] == ["INVALID_STATE"]
