"""The receivables ledger over GraphQL: idempotent entries, allocation, aging, errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from common.roles import Role
from infra.settings import Settings
from tests.conftest import unique

pytestmark = pytest.mark.integration

TODAY = datetime.now(UTC).date()

INVOICE = """
mutation($input: InvoiceInput!) { recordInvoice(input: $input) {
  recorded errors { field code message }
  customer { credit { limit exposure available aging { current d1to30 d31to60 d61to90 over90 } } } } }"""
PAYMENT = """
mutation($input: PaymentInput!) { recordPayment(input: $input) {
  recorded errors { field code message }
  customer { credit { exposure available aging { current d1to30 d31to60 d61to90 over90 } } } } }"""


def new_customer(gql, limit: str = "100000") -> str:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } errors { message } } }"
    body = gql(
        q,
        {
            "i": {
                "code": unique("L"),
                "legalName": "上海联影经销有限公司",
                "type": "DISTRIBUTOR",
                "creditLimit": limit,
            }
        },
    )
    return body["data"]["createCustomer"]["customer"]["id"]


def invoice(gql, customer: str, number: str, amount: str, due_days_ago: int, *roles: Role):  # type: ignore[no-untyped-def]
    due = TODAY - timedelta(days=due_days_ago)
    payload = {
        "customerId": customer,
        "number": number,
        "amount": amount,
        "issuedOn": (due - timedelta(days=60)).isoformat(),
        "dueOn": due.isoformat(),
    }
    return gql(INVOICE, {"input": payload}, *(roles or (Role.FINANCE,)))["data"]["recordInvoice"]


def pay(gql, customer: str, reference: str, amount: str, invoices: list[str] | None = None):  # type: ignore[no-untyped-def]
    payload = {
        "customerId": customer,
        "reference": reference,
        "amount": amount,
        "receivedOn": TODAY.isoformat(),
        "invoiceNumbers": invoices,
    }
    return gql(PAYMENT, {"input": payload}, Role.FINANCE)["data"]["recordPayment"]


def test_invoices_age_into_buckets_to_the_cent(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)
    for number, amount, days in [
        ("A", "100.10", -5),
        ("B", "200.20", 0),
        ("C", "300.30", 1),
        ("D", "400.40", 30),
        ("E", "500.50", 31),
        ("F", "600.60", 61),
        ("G", "700.70", 90),
        ("H", "800.80", 91),
    ]:
        result = invoice(gql, cid, number, amount, days)
        assert result["errors"] == [] and result["recorded"] is True
    credit = result["customer"]["credit"]
    assert credit["aging"] == {
        "current": "300.30",
        "d1to30": "700.70",
        "d31to60": "500.50",
        "d61to90": "1301.30",
        "over90": "800.80",
    }
    assert credit["exposure"] == "3603.60"
    # The limit itself may already have moved if a worker rescored meanwhile.
    assert Decimal(credit["available"]) == Decimal(credit["limit"]) - Decimal("3603.60")


def test_payment_pays_named_invoices_first_then_oldest_and_keeps_overpayment(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)
    invoice(gql, cid, "OLD", "1000.00", 45)
    invoice(gql, cid, "MID", "1000.00", 10)
    invoice(gql, cid, "NEW", "1000.00", -20)
    named = pay(gql, cid, "P1", "1500.00", ["NEW"])
    assert named["errors"] == []
    # NEW fully paid, the remaining 500 goes to the oldest (OLD).
    assert named["customer"]["credit"]["aging"] == {
        "current": "0.00",
        "d1to30": "1000.00",
        "d31to60": "500.00",
        "d61to90": "0.00",
        "over90": "0.00",
    }
    over = pay(gql, cid, "P2", "2000.00")
    assert over["customer"]["credit"]["exposure"] == "0.00"
    # The 500.00 over-payment is credit: it settles the next invoice as it is recorded.
    later = invoice(gql, cid, "NEXT", "800.00", -30)
    assert later["customer"]["credit"]["exposure"] == "300.00"


def test_same_entry_twice_changes_nothing_and_says_so(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)
    first = invoice(gql, cid, "INV-1", "1234.56", 3)
    again = invoice(gql, cid, "INV-1", "1234.56", 3)
    assert again["recorded"] is False
    assert [e["code"] for e in again["errors"]] == ["ALREADY_RECORDED"]
    assert again["customer"]["credit"] == first["customer"]["credit"]
    clash = invoice(gql, cid, "INV-1", "999.00", 3)
    assert [e["code"] for e in clash["errors"]] == ["DUPLICATE"] and clash["customer"] is None
    pay(gql, cid, "R-1", "234.56")
    repeat = pay(gql, cid, "R-1", "234.56")
    assert [e["code"] for e in repeat["errors"]] == ["ALREADY_RECORDED"]
    assert repeat["customer"]["credit"]["exposure"] == "1000.00"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"amount": "-5"}, "amount", "NEGATIVE_AMOUNT"),
        ({"amount": "0"}, "amount", "NEGATIVE_AMOUNT"),
        ({"amount": "1.001"}, "amount", "INVALID"),
        ({"dueOn": "2020-01-01", "issuedOn": "2020-02-01"}, "dueOn", "INVALID_DATE_RANGE"),
        ({"customerId": "cus_000000000000000000000000"}, "customerId", "NOT_FOUND"),
        ({"customerId": "garbage"}, "customerId", "NOT_FOUND"),
        ({"number": " "}, "number", "REQUIRED"),
    ],
)
def test_bad_invoices_are_user_errors(gql, change, field, code) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)
    payload = {
        "customerId": cid,
        "number": "X1",
        "amount": "10.00",
        "issuedOn": "2026-01-01",
        "dueOn": "2026-03-01",
        **change,
    }
    result = gql(INVOICE, {"input": payload}, Role.FINANCE)["data"]["recordInvoice"]
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]


def test_payment_naming_unknown_invoice_is_rejected_and_books_nothing(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)
    invoice(gql, cid, "ONLY", "100.00", 5)
    result = pay(gql, cid, "P-X", "100.00", ["MISSING"])
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("invoiceNumbers", "NOT_FOUND")]
    fine = pay(gql, cid, "P-X", "40.00")  # the reference was not consumed by the failed call
    assert fine["customer"]["credit"]["exposure"] == "60.00"


def test_only_finance_and_admin_record_ledger_entries(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)
    payload = {
        "customerId": cid,
        "number": "S1",
        "amount": "10.00",
        "issuedOn": "2026-01-01",
        "dueOn": "2026-02-01",
    }
    body = gql(INVOICE, {"input": payload}, Role.SALES)
    assert body["data"] is None or body["data"]["recordInvoice"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@contextlib.contextmanager
def customer_write_refused(settings: Settings) -> Iterator[None]:
    """The database refuses the next update of a customer document, once, as if it went away
    mid-request: MongoDB's ``failCommand`` failpoint, which the embedded server has too (a
    real mongod needs ``enableTestCommands``). Switched off on leaving, used or not."""
    client: MongoClient[dict[str, Any]]
    with MongoClient(settings.mongodb_url) as client:
        try:
            client.admin.command(
                {
                    "configureFailPoint": "failCommand",
                    "mode": {"times": 1},
                    "data": {
                        "failCommands": ["update"],
                        "namespace": f"{settings.mongodb_db}.customers",
                        "errorCode": 8,  # not a retryable code: the driver must not retry it away
                        "errorMessage": "customer write refused by the test's failpoint",
                    },
                }
            )
        except OperationFailure as exc:
            pytest.skip(f"this database server has no failpoints: {exc}")
        try:
            yield
        finally:
            client.admin.command({"configureFailPoint": "failCommand", "mode": "off"})


def test_retry_after_a_crash_midway_finishes_the_entry(gql, worker, settings) -> None:  # type: ignore[no-untyped-def]
    """The first call dies after storing the entry but before the balances are written
    (the real database refuses that write: the balances are the request's only update of
    the customer document); the client's retry is told 'already recorded' and leaves the
    books exactly as one clean call would."""

    def fails(call) -> None:  # type: ignore[no-untyped-def]
        # The worker's rescoring updates customers too: held, so the refusal hits this call.
        # The helper then finds no data (TypeError): the call failed.
        with worker.paused(), customer_write_refused(settings), pytest.raises(TypeError):
            call()

    cid = new_customer(gql, "1000")
    fails(lambda: invoice(gql, cid, "R-1", "100.00", -10))
    again = invoice(gql, cid, "R-1", "100.00", -10)
    assert again["recorded"] is False
    assert [e["code"] for e in again["errors"]] == ["ALREADY_RECORDED"]
    assert again["customer"]["credit"]["exposure"] == "100.00"

    fails(lambda: pay(gql, cid, "P-1", "150.00"))
    again = pay(gql, cid, "P-1", "150.00")
    assert (again["recorded"], again["customer"]["credit"]["exposure"]) == (False, "0.00")
    assert pay(gql, cid, "P-1", "150.00")["customer"]["credit"]["exposure"] == "0.00"
    # The 50.00 over-payment was kept once, not lost and not doubled: it settles 40.00
    # of the next invoice and 10.00 of the one after.
    assert invoice(gql, cid, "R-2", "40.00", -10)["customer"]["credit"]["exposure"] == "0.00"
    assert invoice(gql, cid, "R-3", "40.00", -10)["customer"]["credit"]["exposure"] == "30.00"


def test_same_payment_reference_for_other_invoices_is_a_duplicate(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)
    invoice(gql, cid, "A", "100.00", -10)
    invoice(gql, cid, "B", "100.00", -10)
    assert pay(gql, cid, "P-9", "50.00", ["B"])["errors"] == []
    other = pay(gql, cid, "P-9", "50.00", ["A"])
    assert [e["code"] for e in other["errors"]] == ["DUPLICATE"]


def test_absurdly_large_amounts_are_user_errors_not_crashes(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)
    assert [e["code"] for e in invoice(gql, cid, "BIG", "1e26", 0)["errors"]] == ["TOO_LARGE"]
    create = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } errors { code } } }"
    i = {"code": unique("L"), "legalName": "上海联影经销有限公司", "type": "DISTRIBUTOR", "creditLimit": "1e30"}
    assert gql(create, {"i": i})["data"]["createCustomer"] == {"customer": None, "errors": [{"code": "TOO_LARGE"}]}
    limit = 'mutation($id: ID!) { setCreditLimit(customerId: $id, limit: "1e30", reason: "typo") { errors { code } } }'
    assert gql(limit, {"id": cid}, Role.CREDIT_MANAGER)["data"]["setCreditLimit"]["errors"] == [{"code": "TOO_LARGE"}]
    order = "mutation($i: SubmitOrderInput!) { submitOrder(input: $i) { order { id } errors { code } } }"
    line = {"sku": "S", "deviceClass": "I", "category": "01", "quantity": 2_000_000_000, "unitPrice": "1e20"}
    result = gql(order, {"i": {"customerId": cid, "externalRef": unique("PO"), "lines": [line]}}, Role.SALES)
    assert result["data"]["submitOrder"] == {"order": None, "errors": [{"code": "TOO_LARGE"}]}
