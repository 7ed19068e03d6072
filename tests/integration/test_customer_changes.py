"""Customer changes over GraphQL: audited before/after, a new name sends the licences
back to review (orders for licensed classes are held until a person confirms), terms
need a credit manager, and archiving keeps the history."""

from __future__ import annotations

import random

import pytest

from scoring.roles import Role
from tests.docgen import render_text_pdf
from tests.integration.test_documents import DOCUMENT, customer_for, fresh_truth, upload
from tests.integration.test_orders import line, new_customer, submit

pytestmark = pytest.mark.integration

UPDATE = """mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) {
  customer { legalName region uscc attributes credit { paymentTermDays } certificates { type } }
  errors { field code message } } }"""
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
    cid = customer_for(gql, truth)
    gql(
        'mutation($id: ID!) { setCreditLimit(customerId: $id, limit: "100000", reason: "onboarding") { errors { code } } }',
        {"id": cid},
        Role.CREDIT_MANAGER,
    )
    pdf = render_text_pdf(truth, random.Random(3))
    doc = upload(app_client, token_for(Role.ONBOARDING), cid, "l.pdf", pdf, "application/pdf")["document"]
    worker.drain()
    assert gql(DOCUMENT, {"id": doc["id"]})["data"]["document"]["status"] == "VERIFIED"
    covered = next(c for c in truth.scope_categories if len(c) == 2)
    assert submit(gql, cid, [line("III", covered)])["order"]["status"] == "APPROVED"
    renamed = gql(UPDATE, {"id": cid, "i": {"legalName": "杭州新名医疗器械有限公司"}}, Role.ONBOARDING)
    assert renamed["data"]["updateCustomer"]["errors"] == []
    assert gql(DOCUMENT, {"id": doc["id"]})["data"]["document"]["status"] == "NEEDS_REVIEW"
    held = submit(gql, cid, [line("III", covered)])["order"]
    assert held["holdReasons"] == ["QUALIFICATION_MISSING"], "a licence naming someone else covers nothing"
    review = 'mutation($id: ID!) { reviewDocument(id: $id, approve: true, note: "renamed, same company") { errors { code } } }'
    assert gql(review, {"id": doc["id"]}, Role.CREDIT_MANAGER)["data"]["reviewDocument"]["errors"] == []
    worker.drain()
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
