"""After the order, over GraphQL: cancelling frees exactly the reserved credit, and a
shipment checks the customer again (a 90-days-overdue customer's approved order is held)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common.roles import Role
from tests.conftest import unique
from tests.integration.test_orders import line, new_customer, submit

pytestmark = pytest.mark.integration

CANCEL = """mutation($id: ID!, $note: String!) { cancelOrder(id: $id, note: $note) {
  order { status decidedBy decisionNote customer { credit { exposure available } } }
  errors { field code message } } }"""
SHIP = """mutation($i: RequestShipmentInput!) { requestShipment(input: $i) {
  shipment { id externalRef status holdReasons shippedAt lines { sku quantity }
             order { id status lines { sku quantity remainingQuantity } } }
  errors { field code message } } }"""
RELEASE = """mutation($id: ID!, $note: String!) { releaseShipment(id: $id, note: $note) {
  shipment { status shippedAt decidedBy decisionNote } errors { field code } } }"""
EXPOSURE = "query($id: ID!) { customer(id: $id) { credit { exposure available } } }"


def exposure(gql, cid: str) -> dict:  # type: ignore[no-untyped-def]
    return gql(EXPOSURE, {"id": cid})["data"]["customer"]["credit"]


def submit_as(gql, cid: str, lines: list[dict], subject: str) -> dict:  # type: ignore[no-untyped-def]
    q = "mutation($i: SubmitOrderInput!) { submitOrder(input: $i) { order { id status amount } errors { code } } }"
    i = {"customerId": cid, "externalRef": unique("PO"), "lines": lines}
    return gql(q, {"i": i}, Role.SALES, subject=subject)["data"]["submitOrder"]["order"]


def ship(gql, order_id: str, lines: list[dict] | None = None, ref: str | None = None, role: Role = Role.SALES) -> dict:  # type: ignore[no-untyped-def]
    i: dict = {"orderId": order_id, "externalRef": ref or unique("SHP")}
    if lines is not None:
        i["lines"] = lines
    return gql(SHIP, {"i": i}, role)["data"]["requestShipment"]


def overdue_invoice(gql, cid: str, days: int, amount: str = "50.00") -> None:  # type: ignore[no-untyped-def]
    due = datetime.now(UTC).date() - timedelta(days=days)
    q = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { message } } }"
    i = {
        "customerId": cid,
        "number": unique("INV"),
        "amount": amount,
        "issuedOn": (due - timedelta(days=30)).isoformat(),
        "dueOn": due.isoformat(),
    }
    assert gql(q, {"i": i}, Role.FINANCE)["data"]["recordInvoice"]["errors"] == []


def test_cancelling_an_approved_order_frees_exactly_its_reserved_credit(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    keep = submit_as(gql, cid, [line(quantity=2, price="123.45")], "alice")
    cancel = submit_as(gql, cid, [line(quantity=3, price="77.77")], "alice")
    assert (keep["status"], cancel["status"]) == ("APPROVED", "APPROVED")
    assert exposure(gql, cid) == {"exposure": "480.21", "available": "519.79"}
    result = gql(CANCEL, {"id": cancel["id"], "note": "customer changed its mind"}, Role.SALES, subject="alice")
    order = result["data"]["cancelOrder"]["order"]
    assert result["data"]["cancelOrder"]["errors"] == []
    assert (order["status"], order["decidedBy"], order["decisionNote"]) == (
        "CANCELLED",
        "alice",
        "customer changed its mind",
    )
    assert order["customer"]["credit"] == {"exposure": "246.90", "available": "753.10"}
    again = gql(CANCEL, {"id": cancel["id"], "note": "twice"}, Role.CREDIT_MANAGER)["data"]["cancelOrder"]
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]
    assert exposure(gql, cid)["exposure"] == "246.90", "a second cancellation releases nothing"


def test_salespeople_cancel_only_their_own_orders_and_credit_managers_any(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "100")
    held = submit_as(gql, cid, [line(price="500.00")], "bob")
    assert held["status"] == "HELD"
    other = gql(CANCEL, {"id": held["id"], "note": "not mine"}, Role.SALES, subject="carol")["data"]["cancelOrder"]
    assert other["order"] is None and [e["code"] for e in other["errors"]] == ["FORBIDDEN"]
    finance = gql(CANCEL, {"id": held["id"], "note": "x"}, Role.FINANCE)
    assert finance["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    no_note = gql(CANCEL, {"id": held["id"], "note": " "}, Role.SALES, subject="bob")["data"]["cancelOrder"]
    assert [e["code"] for e in no_note["errors"]] == ["REQUIRED"]
    done = gql(CANCEL, {"id": held["id"], "note": "duplicate order"}, Role.CREDIT_MANAGER, subject="cm")
    assert done["data"]["cancelOrder"]["order"]["status"] == "CANCELLED"
    assert exposure(gql, cid)["exposure"] == "0.00", "a held order reserved nothing and frees nothing"


def test_a_cancelled_order_cannot_ship_and_a_shipped_one_cannot_be_cancelled(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    first = submit(gql, cid, [line()])["order"]
    gql(CANCEL, {"id": first["id"], "note": "no"}, Role.CREDIT_MANAGER)
    refused = ship(gql, first["id"])
    assert refused["shipment"] is None and [e["code"] for e in refused["errors"]] == ["INVALID_STATE"]
    second = submit(gql, cid, [line()])["order"]
    assert ship(gql, second["id"])["shipment"]["status"] == "RELEASED"
    late = gql(CANCEL, {"id": second["id"], "note": "too late"}, Role.CREDIT_MANAGER)["data"]["cancelOrder"]
    assert [e["code"] for e in late["errors"]] == ["INVALID_STATE"]
    assert exposure(gql, cid)["exposure"] == "100.00"


def test_partial_shipments_track_the_remaining_quantity(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "10000")
    order = submit(gql, cid, [line(category="01", quantity=5), line(category="02", quantity=2)])["order"]
    first = ship(gql, order["id"], [{"sku": "SKU-01", "quantity": 3}], ref="S1")
    shipment = first["shipment"]
    assert (shipment["status"], shipment["holdReasons"]) == ("RELEASED", [])
    assert shipment["shippedAt"] is not None
    assert [(x["sku"], x["remainingQuantity"]) for x in shipment["order"]["lines"]] == [("SKU-01", 2), ("SKU-02", 2)]
    again = ship(gql, order["id"], [{"sku": "SKU-01", "quantity": 3}], ref="S1")
    assert again["shipment"]["id"] == shipment["id"] and [e["code"] for e in again["errors"]] == ["ALREADY_RECORDED"]
    too_many = ship(gql, order["id"], [{"sku": "SKU-01", "quantity": 3}])
    assert [(e["field"], e["code"]) for e in too_many["errors"]] == [("lines.0.quantity", "INVALID")]
    rest = ship(gql, order["id"], ref="S2")["shipment"]
    assert rest["lines"] == [{"sku": "SKU-01", "quantity": 2}, {"sku": "SKU-02", "quantity": 2}]
    assert [x["remainingQuantity"] for x in rest["order"]["lines"]] == [0, 0]
    nothing = ship(gql, order["id"])
    assert [e["code"] for e in nothing["errors"]] == ["INVALID_STATE"]


def test_ninety_days_overdue_customer_is_held_at_shipment_and_released_by_credit(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "100000")
    order = submit(gql, cid, [line(quantity=2)])["order"]
    assert order["status"] == "APPROVED"
    # Between approval and shipment an old invoice is found 90 days overdue.
    overdue_invoice(gql, cid, 90)
    held = ship(gql, order["id"])["shipment"]
    assert (held["status"], held["holdReasons"], held["shippedAt"]) == ("HELD", ["OVERDUE"], None)
    assert [x["remainingQuantity"] for x in held["order"]["lines"]] == [0], "a held shipment keeps its goods"
    sales = gql(RELEASE, {"id": held["id"], "note": "ok"}, Role.SALES)
    assert sales["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    released = gql(RELEASE, {"id": held["id"], "note": "paid by wire today"}, Role.CREDIT_MANAGER, subject="cm")
    shipment = released["data"]["releaseShipment"]["shipment"]
    assert (shipment["status"], shipment["decidedBy"], shipment["decisionNote"]) == (
        "RELEASED",
        "cm",
        "paid by wire today",
    )
    assert shipment["shippedAt"] is not None
    twice = gql(RELEASE, {"id": held["id"], "note": "again"}, Role.CREDIT_MANAGER)["data"]["releaseShipment"]
    assert [e["code"] for e in twice["errors"]] == ["INVALID_STATE"]


def test_shipment_events_reach_the_event_feed(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "100000")
    order = submit(gql, cid, [line()])["order"]
    released = ship(gql, order["id"])["shipment"]
    overdue_invoice(gql, cid, 45)
    order2 = gql(
        'mutation($id: ID!) { releaseOrder(id: $id, note: "ok") { order { id } } }',
        {"id": submit(gql, cid, [line()])["order"]["id"]},
        Role.CREDIT_MANAGER,
    )["data"]["releaseOrder"]["order"]
    held = ship(gql, order2["id"])["shipment"]
    assert held["status"] == "HELD"
    kinds = _event_types(gql, cid)
    assert "SHIPMENT_RELEASED" in kinds and "SHIPMENT_HELD" in kinds
    assert released["status"] == "RELEASED"


def _event_types(gql, cid: str) -> list[str]:  # type: ignore[no-untyped-def]
    q = "query($c: ID!) { events(customerId: $c, first: 50) { edges { node { type } } } }"
    body = gql(q, {"c": cid})
    return [e["node"]["type"] for e in body["data"]["events"]["edges"]]
