"""Credit notes over GraphQL: exposure back to the cent, idempotency, and the
scorecard's returns factor read from the ledger (the attribute only as a fallback)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common.roles import Role
from tests.conftest import unique
from tests.integration.test_orders import new_customer

pytestmark = pytest.mark.integration

NOTE = """mutation($i: CreditNoteInput!) { recordCreditNote(input: $i) {
  recorded customer { credit { exposure available aging { current } } } errors { field code message } } }"""
INVOICE = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { code message } } }"
FACTORS = "query($id: ID!) { customer(id: $id) { risk { factors { name value } } } }"
TODAY = datetime.now(UTC).date()


def invoice(gql, cid: str, number: str, amount: str, issued_days_ago: int = 10) -> None:  # type: ignore[no-untyped-def]
    issued = TODAY - timedelta(days=issued_days_ago)
    i = {
        "customerId": cid,
        "number": number,
        "amount": amount,
        "issuedOn": issued.isoformat(),
        "dueOn": (issued + timedelta(days=60)).isoformat(),
    }
    assert gql(INVOICE, {"i": i}, Role.FINANCE)["data"]["recordInvoice"]["errors"] == []


def note(gql, cid: str, number: str, amount: str, reason: str = "RETURN", invoice_number: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    i = {"customerId": cid, "number": number, "amount": amount, "issuedOn": TODAY.isoformat(), "reason": reason}
    if invoice_number is not None:
        i["invoiceNumber"] = invoice_number
    return gql(NOTE, {"i": i}, Role.FINANCE)["data"]["recordCreditNote"]


def test_a_credit_note_brings_exposure_back_to_the_cent(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "100000")
    invoice(gql, cid, "A", "1234.56", issued_days_ago=20)
    invoice(gql, cid, "B", "1000.01", issued_days_ago=5)
    result = note(gql, cid, "CN-1", "234.57", invoice_number="B")
    assert result["errors"] == [] and result["recorded"] is True
    assert result["customer"]["credit"]["exposure"] == "2000.00"
    again = note(gql, cid, "CN-1", "234.57", invoice_number="B")
    assert [e["code"] for e in again["errors"]] == ["ALREADY_RECORDED"] and again["recorded"] is False
    assert again["customer"]["credit"]["exposure"] == "2000.00", "the same note twice reduces once"
    other = note(gql, cid, "CN-1", "1.00", invoice_number="B")
    assert [(e["field"], e["code"]) for e in other["errors"]] == [("number", "DUPLICATE")]
    # Without an invoice the oldest open one is reduced first; the rest becomes credit.
    oldest = note(gql, cid, "CN-2", "2000.00", reason="PRICE_ADJUSTMENT")
    assert oldest["customer"]["credit"]["exposure"] == "0.00"
    invoice(gql, cid, "C", "50.00", issued_days_ago=1)
    q = "query($id: ID!) { customer(id: $id) { credit { exposure } } }"
    assert gql(q, {"id": cid})["data"]["customer"]["credit"]["exposure"] == "50.00", "no credit left over"
    assert note(gql, cid, "CN-3", "10.00", invoice_number="C")["customer"]["credit"]["exposure"] == "40.00"


def test_credit_note_mistakes_are_user_errors(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    unknown = note(gql, cid, "CN-X", "10.00", invoice_number="NOPE")
    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [("invoiceNumber", "NOT_FOUND")]
    negative = note(gql, cid, "CN-Y", "-1")
    assert [(e["field"], e["code"]) for e in negative["errors"]] == [("amount", "NEGATIVE_AMOUNT")]
    sales = gql(
        NOTE,
        {"i": {"customerId": cid, "number": "Z", "amount": "1", "issuedOn": TODAY.isoformat(), "reason": "OTHER"}},
        Role.SALES,
    )
    assert sales["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def _returns_factor(gql, cid: str) -> float:  # type: ignore[no-untyped-def]
    factors = gql(FACTORS, {"id": cid})["data"]["customer"]["risk"]["factors"]
    return next(f["value"] for f in factors if f["name"] == "returns_rate")


def test_the_returns_factor_reads_the_ledger_and_the_attribute_only_without_history(gql, worker) -> None:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"
    i = {"code": unique("R"), "legalName": "退货测试有限公司", "type": "HOSPITAL", "attributes": {"returns_rate": 0.3}}
    cid = gql(q, {"i": i})["data"]["createCustomer"]["customer"]["id"]
    rescore = "mutation($id: ID!) { rescoreCustomer(customerId: $id) { errors { code } } }"
    gql(rescore, {"id": cid}, Role.CREDIT_MANAGER)
    worker.drain()
    assert _returns_factor(gql, cid) == pytest.approx(0.3), "no ledger history: the typed figure stands"
    invoice(gql, cid, "R1", "8000.00", issued_days_ago=40)
    invoice(gql, cid, "R2", "2000.00", issued_days_ago=10)
    # A return, a price adjustment (not a return) and an old invoice outside the window.
    invoice(gql, cid, "OLD", "50000.00", issued_days_ago=400)
    note(gql, cid, "RET-1", "500.00", invoice_number="R1")
    note(gql, cid, "ADJ-1", "900.00", reason="PRICE_ADJUSTMENT", invoice_number="R2")
    worker.drain()
    assert _returns_factor(gql, cid) == pytest.approx(0.05), "500 returned of 10,000 invoiced in the window"
