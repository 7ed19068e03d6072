"""Rescoring through the real worker: scores, grades, limits and warnings follow the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common.roles import Role
from tests.conftest import unique

pytestmark = pytest.mark.integration
TODAY = datetime.now(UTC).date()

CUSTOMER = """query($id: ID!) { customer(id: $id) {
  blocked credit { limit exposure }
  risk { score grade recommendedLimit scoredAt factors { name value contribution } }
  warnings { kind severity notifyRoles } } }"""


def create(gql, limit: str, attributes: dict | None = None) -> str:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"
    i = {
        "code": unique("R"),
        "legalName": "南京医械经销有限公司",
        "type": "DISTRIBUTOR",
        "creditLimit": limit,
        "attributes": attributes or {"customer_since": "2021-01-01"},
    }
    return gql(q, {"i": i})["data"]["createCustomer"]["customer"]["id"]


def invoice(gql, cid: str, number: str, amount: str, issued_days_ago: int, terms: int = 60) -> None:  # type: ignore[no-untyped-def]
    issued = TODAY - timedelta(days=issued_days_ago)
    q = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { message } } }"
    i = {
        "customerId": cid,
        "number": number,
        "amount": amount,
        "issuedOn": issued.isoformat(),
        "dueOn": (issued + timedelta(days=terms)).isoformat(),
    }
    assert gql(q, {"i": i}, Role.FINANCE)["data"]["recordInvoice"]["errors"] == []


def pay(gql, cid: str, reference: str, amount: str, days_ago: int, numbers: list[str]) -> None:  # type: ignore[no-untyped-def]
    q = "mutation($i: PaymentInput!) { recordPayment(input: $i) { errors { message } } }"
    i = {
        "customerId": cid,
        "reference": reference,
        "amount": amount,
        "receivedOn": (TODAY - timedelta(days=days_ago)).isoformat(),
        "invoiceNumbers": numbers,
    }
    assert gql(q, {"i": i}, Role.FINANCE)["data"]["recordPayment"]["errors"] == []


def test_ledger_changes_rescore_and_growing_overdue_costs_grade_and_limit(gql, worker) -> None:  # type: ignore[no-untyped-def]
    cid = create(gql, "200000")
    # Six months of steady business, each invoice paid on its due date, imported at once.
    with worker.paused():
        for month in range(1, 7):
            invoice(gql, cid, f"M{month}", "50000.00", issued_days_ago=30 * month + 5, terms=30)
            pay(gql, cid, f"PAY{month}", "50000.00", days_ago=30 * month - 25, numbers=[f"M{month}"])
    worker.drain()
    good = gql(CUSTOMER, {"id": cid})["data"]["customer"]
    assert good["risk"] is not None, "the worker scored the customer after the ledger changed"
    assert good["risk"]["grade"] in ("A", "B")
    assert abs(sum(f["contribution"] for f in good["risk"]["factors"]) - good["risk"]["score"]) < 0.05
    assert good["warnings"] == [] and good["blocked"] is False
    limit_before = good["credit"]["limit"]
    # 50,000 a month, grade A (x1.2, 90 days) or B (x1.0, 60 days): the policy's recommendation.
    assert good["risk"]["recommendedLimit"] in ("180000.00", "100000.00")

    # Then invoices stop being paid: one is 100 days past due, another 40.
    invoice(gql, cid, "LATE1", "80000.00", issued_days_ago=160)
    invoice(gql, cid, "LATE2", "60000.00", issued_days_ago=100)
    worker.drain()
    bad = gql(CUSTOMER, {"id": cid})["data"]["customer"]
    assert bad["risk"]["score"] < good["risk"]["score"]
    assert bad["risk"]["grade"] > good["risk"]["grade"]
    assert float(bad["credit"]["limit"]) < float(limit_before), "the limit was cut without anyone acting"
    kinds = {w["kind"]: w for w in bad["warnings"]}
    assert kinds["SEVERE_OVERDUE"]["severity"] == "CRITICAL"
    assert "EXECUTIVE" in kinds["SEVERE_OVERDUE"]["notifyRoles"]
    assert bad["blocked"] is True

    # Paying up resolves the warnings on the next rescoring.
    pay(gql, cid, "CATCHUP", "140000.00", days_ago=0, numbers=["LATE1", "LATE2"])
    worker.drain()
    healed = gql(CUSTOMER, {"id": cid})["data"]["customer"]
    assert healed["blocked"] is False
    assert "SEVERE_OVERDUE" not in {w["kind"] for w in healed["warnings"]}


def test_set_credit_limit_needs_reason_and_role_and_is_recorded(gql, worker) -> None:  # type: ignore[no-untyped-def]
    cid = create(gql, "1000")
    q = """mutation($id: ID!, $l: Decimal!, $r: String!) { setCreditLimit(customerId: $id, limit: $l, reason: $r) {
      customer { credit { limit } } errors { field code } } }"""
    no_reason = gql(q, {"id": cid, "l": "5000", "r": " "}, Role.CREDIT_MANAGER)["data"]["setCreditLimit"]
    assert [(e["field"], e["code"]) for e in no_reason["errors"]] == [("reason", "REQUIRED")]
    negative = gql(q, {"id": cid, "l": "-1", "r": "x"}, Role.CREDIT_MANAGER)["data"]["setCreditLimit"]
    assert [(e["field"], e["code"]) for e in negative["errors"]] == [("limit", "NEGATIVE_AMOUNT")]
    forbidden = gql(q, {"id": cid, "l": "5000", "r": "x"}, Role.SALES)
    assert forbidden["data"] is None and forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    ok = gql(q, {"id": cid, "l": "5000", "r": "signed contract 2026-11"}, Role.CREDIT_MANAGER)["data"]["setCreditLimit"]
    assert ok["errors"] == [] and ok["customer"]["credit"]["limit"] == "5000.00"


def test_non_numeric_free_attributes_do_not_stop_scoring(gql, worker) -> None:  # type: ignore[no-untyped-def]
    cid = create(gql, "1000", {"returns_rate": "NaN", "external_rating": "Infinity"})
    invoice(gql, cid, "NAN-1", "100.00", 10)
    worker.drain()
    risk = gql(CUSTOMER, {"id": cid})["data"]["customer"]["risk"]
    assert risk is not None and 0 <= risk["score"] <= 100


def test_page_sizes_of_zero_or_less_return_nothing_not_everything(gql) -> None:  # type: ignore[no-untyped-def]
    cid = create(gql, "1000")
    gql(
        'mutation($id: ID!) { setCreditLimit(customerId: $id, limit: "2000", reason: "r") { errors { code } } }',
        {"id": cid},
        Role.CREDIT_MANAGER,
    )
    q = "query($id: ID!, $n: Int) { auditLog(customerId: $id, first: $n) { action } reviewQueue(first: $n) { id } }"
    assert len(gql(q, {"id": cid, "n": 5})["data"]["auditLog"]) >= 1
    for n in (0, -1):
        assert gql(q, {"id": cid, "n": n})["data"] == {"auditLog": [], "reviewQueue": []}
    far = gql("{ expiringCertificates(withinDays: 3000000) { id } }")
    assert "errors" not in far and isinstance(far["data"]["expiringCertificates"], list)
