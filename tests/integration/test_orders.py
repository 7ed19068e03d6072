"""The order gate over GraphQL: every hold reason, idempotency, release and reject, and
50 concurrent orders racing for one customer's credit over real HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from common.roles import Role
from tests.conftest import unique
from tests.integration.test_documents import fresh_truth
from tests.integration.test_onboarding import onboard

pytestmark = pytest.mark.integration

SUBMIT = """mutation($i: SubmitOrderInput!) { submitOrder(input: $i) {
  order { id externalRef amount status holdReasons decidedBy decisionNote
          customer { credit { exposure available } } }
  errors { field code message } } }"""
DECIDE = """mutation($id: ID!, $note: String!) { %s(id: $id, note: $note) {
  order { status decidedBy decisionNote holdReasons } errors { field code } } }"""


def new_customer(gql, limit: str) -> str:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"
    i = {
        "code": unique("O"),
        "legalName": "杭州器械贸易有限公司",
        "type": "DISTRIBUTOR",
        "creditLimit": limit,
    }
    return gql(q, {"i": i})["data"]["createCustomer"]["customer"]["id"]


def line(device_class: str = "I", category: str = "01", quantity: int = 1, price: str = "100.00") -> dict:
    return {
        "sku": f"SKU-{category}",
        "deviceClass": device_class,
        "category": category,
        "quantity": quantity,
        "unitPrice": price,
    }


def submit(gql, cid: str, lines: list[dict], ref: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    i = {"customerId": cid, "externalRef": ref or unique("PO"), "lines": lines}
    return gql(SUBMIT, {"i": i}, Role.SALES)["data"]["submitOrder"]


def test_order_within_credit_is_approved_and_counts_in_exposure(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    result = submit(gql, cid, [line(quantity=3, price="150.50")])
    assert result["errors"] == []
    order = result["order"]
    assert (order["status"], order["amount"], order["holdReasons"]) == ("APPROVED", "451.50", [])
    assert order["customer"]["credit"] == {"exposure": "451.50", "available": "548.50"}


def test_held_order_lists_every_reason(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "100")
    result = submit(gql, cid, [line("III", "06", 2, "80.00"), line("II", "22")])
    order = result["order"]
    assert order["status"] == "HELD"
    assert order["holdReasons"] == ["CREDIT_LIMIT", "QUALIFICATION_MISSING", "ONBOARDING_INCOMPLETE"]
    assert order["customer"]["credit"]["exposure"] == "0.00", "a held order reserves nothing"


def test_overdue_customer_is_held_for_overdue(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "100000")
    due = datetime.now(UTC).date() - timedelta(days=45)
    q = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { message } } }"
    gql(
        q,
        {
            "i": {
                "customerId": cid,
                "number": "OLD",
                "amount": "10.00",
                "issuedOn": (due - timedelta(days=30)).isoformat(),
                "dueOn": due.isoformat(),
            }
        },
        Role.FINANCE,
    )
    assert submit(gql, cid, [line()])["order"]["holdReasons"] == ["OVERDUE"]


def test_licence_scope_decides_class_three_lines(app_client, gql, token_for, worker) -> None:  # type: ignore[no-untyped-def]
    truth = fresh_truth("operation_license", 72)
    # A distributor's file: business licence and operation licence, signed off (see test_onboarding).
    cid = onboard(app_client, gql, token_for, worker, truth, 73)
    covered = next(c for c in truth.scope_categories if len(c) == 2)
    missing = next(f"{n:02d}" for n in range(1, 23) if f"{n:02d}" not in truth.scope_categories)
    assert submit(gql, cid, [line("III", covered)])["order"]["status"] == "APPROVED"
    assert submit(gql, cid, [line("III", missing)])["order"]["holdReasons"] == ["SCOPE_NOT_COVERED"]


def test_same_external_ref_never_creates_a_second_order(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    first = submit(gql, cid, [line()], ref="PO-7")
    again = submit(gql, cid, [line()], ref="PO-7")
    assert again["order"]["id"] == first["order"]["id"]
    assert [e["code"] for e in again["errors"]] == ["ALREADY_RECORDED"]
    assert again["order"]["customer"]["credit"]["exposure"] == "100.00"
    other = submit(gql, cid, [line(quantity=2)], ref="PO-7")
    assert other["order"] is None and [e["code"] for e in other["errors"]] == ["DUPLICATE"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [({"quantity": 0}, "lines.0.quantity"), ({"unitPrice": "-1"}, "lines.0.unitPrice")],
)
def test_invalid_lines_are_user_errors(gql, bad, field) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    result = submit(gql, cid, [{**line(), **bad}])
    assert result["order"] is None and [e["field"] for e in result["errors"]] == [field]


def test_release_and_reject_need_authority_and_a_note(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "100")
    held = submit(gql, cid, [line(price="500.00")])["order"]
    forbidden = gql(DECIDE % "releaseOrder", {"id": held["id"], "note": "ok"}, Role.SALES)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    no_note = gql(DECIDE % "releaseOrder", {"id": held["id"], "note": " "}, Role.CREDIT_MANAGER)["data"]["releaseOrder"]
    assert [(e["field"], e["code"]) for e in no_note["errors"]] == [("note", "REQUIRED")]
    released = gql(DECIDE % "releaseOrder", {"id": held["id"], "note": "prepaid by wire"}, Role.CREDIT_MANAGER)
    order = released["data"]["releaseOrder"]["order"]
    assert (order["status"], order["decidedBy"], order["decisionNote"]) == (
        "APPROVED",
        "tester",
        "prepaid by wire",
    )
    again = gql(DECIDE % "rejectOrder", {"id": held["id"], "note": "too late"}, Role.CREDIT_MANAGER)["data"][
        "rejectOrder"
    ]
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]
    held2 = submit(gql, cid, [line(price="900.00")])["order"]
    rejected = gql(DECIDE % "rejectOrder", {"id": held2["id"], "note": "no"}, Role.ADMIN)["data"]["rejectOrder"]
    assert rejected["order"]["status"] == "REJECTED"


def test_fifty_concurrent_orders_never_exceed_the_limit(gql, live_server, token_for) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "10000")
    headers = {"Authorization": f"Bearer {token_for(Role.SALES)}"}

    async def race() -> list[dict]:
        async with httpx.AsyncClient(base_url=live_server.url, headers=headers, timeout=120) as client:

            async def one(i: int) -> dict:
                variables = {
                    "i": {
                        "customerId": cid,
                        "externalRef": f"RACE-{i}",
                        "lines": [line(price="700.00")],
                    }
                }
                response = await client.post("/graphql", json={"query": SUBMIT, "variables": variables})
                assert response.status_code == 200, response.text
                return response.json()["data"]["submitOrder"]["order"]

            return await asyncio.gather(*(one(i) for i in range(50)))

    orders = asyncio.run(race())
    assert len(orders) == 50 and all(o is not None for o in orders)
    approved = [Decimal(o["amount"]) for o in orders if o["status"] == "APPROVED"]
    held = [o for o in orders if o["status"] == "HELD"]
    assert sum(approved) <= Decimal("10000")
    assert len(approved) == 14, "700 x 14 = 9,800 fits; a 15th would not"
    assert all(o["holdReasons"] == ["CREDIT_LIMIT"] for o in held)
    credit = gql("query($id: ID!) { customer(id: $id) { credit { exposure } } }", {"id": cid})
    assert credit["data"]["customer"]["credit"]["exposure"] == "9800.00"
