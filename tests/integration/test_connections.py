"""Relay connections over HTTP: both directions, all four PageInfo fields, filters,
orderBy, invalid cursors, the lists hanging off a customer, and the event history."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from common.roles import Role
from tests.conftest import unique
from tests.docgen import render_text_pdf
from tests.integration.test_documents import customer_for, fresh_truth, upload
from tests.integration.test_orders import line, new_customer, submit
from tests.integration.test_rescoring import invoice

pytestmark = pytest.mark.integration
TODAY = datetime.now(UTC).date()

CUSTOMERS = """query($first: Int, $after: String, $last: Int, $before: String, $filter: CustomerFilter,
                     $orderBy: CustomerOrder) {
  customers(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id code legalName } } } }"""


def make_customers(gql, region: str, names: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } errors { code } } }"
    out = []
    for name in names:
        i = {"code": unique("P"), "legalName": name, "type": "HOSPITAL", "region": region}
        out.append(gql(q, {"i": i})["data"]["createCustomer"]["customer"]["id"])
    return out


def walk(gql, query: str, field: str, variables: dict, *, backward: bool = False, size: int = 2) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every node of a connection, page by page, in the list's order."""
    seen: list[dict] = []
    cursor = None
    while True:
        args = {"last": size, "before": cursor} if backward else {"first": size, "after": cursor}
        conn = gql(query, {**variables, **args})["data"][field]
        nodes = [e["node"] for e in conn["edges"]]
        info = conn["pageInfo"]
        assert info["startCursor"] == (conn["edges"][0]["cursor"] if nodes else None)
        assert info["endCursor"] == (conn["edges"][-1]["cursor"] if nodes else None)
        if backward:
            seen = nodes + seen
            assert info["hasNextPage"] is (cursor is not None)
            if not info["hasPreviousPage"]:
                return seen
            cursor = info["startCursor"]
        else:
            seen += nodes
            assert info["hasPreviousPage"] is (cursor is not None)
            if not info["hasNextPage"]:
                return seen
            cursor = info["endCursor"]


def test_customers_page_both_ways_and_sort(gql) -> None:  # type: ignore[no-untyped-def]
    region = unique("region")
    names = ["丙医院", "甲医院", "乙医院", "丁医院", "戊医院"]
    created = make_customers(gql, region, names)
    scope = {"filter": {"region": region}}

    forward = walk(gql, CUSTOMERS, "customers", scope)
    assert [n["id"] for n in forward] == created, "creation order by default"
    backward = walk(gql, CUSTOMERS, "customers", scope, backward=True)
    assert backward == forward
    # `last` alone is the end of the list, although the contract's `first` defaults to 20.
    tail = gql(CUSTOMERS, {**scope, "last": 2})["data"]["customers"]
    assert [e["node"]["id"] for e in tail["edges"]] == created[-2:]
    assert tail["pageInfo"]["hasPreviousPage"] is True and tail["pageInfo"]["hasNextPage"] is False
    assert tail["totalCount"] == 5

    by_name = {"field": "LEGAL_NAME", "direction": "DESC"}
    named = walk(gql, CUSTOMERS, "customers", {**scope, "orderBy": by_name})
    assert [n["legalName"] for n in named] == sorted(names, reverse=True)
    assert walk(gql, CUSTOMERS, "customers", {**scope, "orderBy": by_name}, backward=True) == named


def test_invalid_cursors_are_clear_errors(gql) -> None:  # type: ignore[no-untyped-def]
    region = unique("region")
    make_customers(gql, region, ["一", "二"])
    first = gql(CUSTOMERS, {"filter": {"region": region}, "first": 1})["data"]["customers"]
    cursor = first["pageInfo"]["endCursor"]
    for bad in ["%%%", "Zm9v", cursor[:-3]]:
        body = gql(CUSTOMERS, {"first": 1, "after": bad})
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", bad
    other_order = gql(CUSTOMERS, {"first": 1, "after": cursor, "orderBy": {"field": "CODE"}})
    assert other_order["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
    assert "another list or ordering" in other_order["errors"][0]["message"]
    negative = gql(CUSTOMERS, {"first": -1})
    assert negative["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


ORDERS = """query($first: Int, $after: String, $last: Int, $before: String, $filter: OrderFilter, $orderBy: OrderOrder) {
  orders(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id amount status } } } }"""


def test_orders_filter_by_customer_status_and_day_and_sort_by_amount(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    approved = [submit(gql, cid, [line(price=p)])["order"] for p in ("300.00", "100.00", "200.00")]
    held = submit(gql, cid, [line(price="5000.00")])["order"]
    assert held["status"] == "HELD"
    mine = {"customerId": cid}

    newest_first = walk(gql, ORDERS, "orders", {"filter": mine})
    assert [o["id"] for o in newest_first] == [held["id"], *[o["id"] for o in reversed(approved)]]
    by_amount = walk(gql, ORDERS, "orders", {"filter": mine, "orderBy": {"field": "AMOUNT", "direction": "ASC"}})
    assert [o["amount"] for o in by_amount] == ["100.00", "200.00", "300.00", "5000.00"]

    only_held = gql(ORDERS, {"filter": {**mine, "status": ["HELD"]}})["data"]["orders"]
    assert [e["node"]["id"] for e in only_held["edges"]] == [held["id"]] and only_held["totalCount"] == 1
    today = gql(ORDERS, {"filter": {**mine, "submittedFrom": str(TODAY), "submittedTo": str(TODAY)}})
    assert today["data"]["orders"]["totalCount"] == 4
    yesterday = str(TODAY - timedelta(days=1))
    assert gql(ORDERS, {"filter": {**mine, "submittedTo": yesterday}})["data"]["orders"]["totalCount"] == 0

    via_customer = gql(
        "query($id: ID!) { customer(id: $id) { orders(first: 2, filter: {status: [APPROVED]}) { totalCount edges { node { id } } } } }",
        {"id": cid},
    )["data"]["customer"]["orders"]
    assert via_customer["totalCount"] == 3
    assert [e["node"]["id"] for e in via_customer["edges"]] == [approved[2]["id"], approved[1]["id"]]
    bad = gql(ORDERS, {"filter": {"customerId": "ord_nonsense"}})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_documents_of_a_customer_and_across_customers(app_client, gql, token_for, worker) -> None:  # type: ignore[no-untyped-def]
    truth = fresh_truth("class2_filing", 61)
    cid = customer_for(gql, truth)
    token = token_for(Role.ONBOARDING)
    first = upload(app_client, token, cid, "a.pdf", render_text_pdf(truth, random.Random(1)), "application/pdf")
    other = fresh_truth("business_license", 62)
    second = upload(app_client, token, cid, "b.pdf", render_text_pdf(other, random.Random(2)), "application/pdf")
    worker.drain()
    ids = [second["document"]["id"], first["document"]["id"]]

    q = """query($id: ID!, $f: DocumentFilter) { customer(id: $id) {
      documents(first: 1, filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { node { id fileName } } } } }"""
    page = gql(q, {"id": cid})["data"]["customer"]["documents"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"] is True
    assert page["edges"][0]["node"]["id"] == ids[0], "newest first"

    everything = """query($f: DocumentFilter, $after: String, $first: Int, $last: Int, $before: String) {
      documents(filter: $f, after: $after, first: $first, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id status certificateType } } } }"""
    walked = walk(gql, everything, "documents", {"f": {"customerId": cid}}, size=1)
    assert [d["id"] for d in walked] == ids
    typed = gql(everything, {"f": {"customerId": cid, "certificateType": "CLASS2_FILING"}})["data"]["documents"]
    assert [e["node"]["id"] for e in typed["edges"]] == [first["document"]["id"]]
    status = walked[0]["status"]
    by_status = gql(everything, {"f": {"customerId": cid, "status": [status]}})["data"]["documents"]
    assert ids[0] in {e["node"]["id"] for e in by_status["edges"]}
    none = gql(everything, {"f": {"customerId": cid, "status": ["REJECTED"]}})["data"]["documents"]
    assert none["totalCount"] == 0 and none["edges"] == [] and none["pageInfo"]["endCursor"] is None


def test_warnings_and_audit_trail_as_connections(gql, worker) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "500000")
    invoice(gql, cid, "OLD1", "80000.00", issued_days_ago=200)
    invoice(gql, cid, "OLD2", "60000.00", issued_days_ago=120)
    worker.drain()
    listed = gql(
        "query($id: ID!) { customer(id: $id) { warnings { id kind } warningsConnection(first: 1) { totalCount edges { node { id } } } } }",
        {"id": cid},
    )["data"]["customer"]
    assert listed["warnings"], "overdue invoices raise warnings"
    assert listed["warningsConnection"]["totalCount"] == len(listed["warnings"])
    q = """query($f: WarningFilter, $first: Int, $after: String, $last: Int, $before: String, $o: WarningOrder) {
      warningsConnection(filter: $f, first: $first, after: $after, last: $last, before: $before, orderBy: $o) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id kind raisedAt } } } }"""
    walked = walk(gql, q, "warningsConnection", {"f": {"customerId": cid}}, size=1)
    assert sorted(w["id"] for w in walked) == sorted(w["id"] for w in listed["warnings"])
    raised = [w["raisedAt"] for w in walked]
    assert raised == sorted(raised, reverse=True), "newest first"
    by_kind = walk(gql, q, "warningsConnection", {"f": {"customerId": cid}, "o": {"field": "KIND", "direction": "ASC"}})
    assert [w["kind"] for w in by_kind] == sorted(w["kind"] for w in listed["warnings"])

    limit = 'mutation($id: ID!, $l: Decimal!) { setCreditLimit(customerId: $id, limit: $l, reason: "review") { errors { code } } }'
    for amount in ("1000", "2000", "3000"):
        assert gql(limit, {"id": cid, "l": amount}, Role.CREDIT_MANAGER)["data"]["setCreditLimit"]["errors"] == []
    audit = """query($id: ID, $first: Int, $after: String, $last: Int, $before: String) {
      auditLogConnection(customerId: $id, action: "LIMIT_CHANGED", first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { action actor detail } } } }"""
    trail = walk(gql, audit, "auditLogConnection", {"id": cid})
    # The starting limit is logged too (issue 10); the three made here carry "review".
    manual = [e["detail"]["after"] for e in trail if e["actor"] == "tester" and e["detail"].get("reason") == "review"]
    assert manual == ["3000.00", "2000.00", "1000.00"], "newest first"


def test_a_field_the_role_may_not_read_is_null_and_the_rest_is_intact(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "10")
    body = gql(
        """query($id: ID!) { customers(first: 1) { totalCount } customer(id: $id) { id }
             auditLog(customerId: $id) { action } auditLogConnection { totalCount } }""",
        {"id": cid},
        Role.VIEWER,
    )
    assert body["data"]["customers"]["totalCount"] >= 1
    assert body["data"]["customer"] == {"id": cid}
    assert body["data"]["auditLog"] is None and body["data"]["auditLogConnection"] is None
    assert sorted(e["path"][0] for e in body["errors"]) == ["auditLog", "auditLogConnection"]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}


def test_event_history_for_polling_clients(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "100")
    q = """query($c: ID, $after: ID, $first: Int, $last: Int, $before: ID) {
      events(customerId: $c, after: $after, first: $first, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id type customerId occurredAt } } } }"""
    limit = 'mutation($id: ID!, $l: Decimal!) { setCreditLimit(customerId: $id, limit: $l, reason: "x") { errors { code } } }'
    for amount in ("200", "300", "400"):
        gql(limit, {"id": cid, "l": amount}, Role.CREDIT_MANAGER)
    events = gql(q, {"c": cid})["data"]["events"]
    nodes = [e["node"] for e in events["edges"]]
    assert len(nodes) == events["totalCount"] >= 3
    assert [n["id"] for n in nodes] == sorted(n["id"] for n in nodes)
    assert all(e["cursor"] == e["node"]["id"] and e["node"]["customerId"] == cid for e in events["edges"])
    # A poller resumes after the last id it saw and gets only what is newer.
    gql(limit, {"id": cid, "l": "500"}, Role.CREDIT_MANAGER)
    newer = gql(q, {"c": cid, "after": events["pageInfo"]["endCursor"]})["data"]["events"]
    assert [e["node"]["type"] for e in newer["edges"]] == ["LIMIT_CHANGED"]
    assert newer["pageInfo"]["hasPreviousPage"] is True and newer["pageInfo"]["hasNextPage"] is False
    assert walk(gql, q, "events", {"c": cid}, backward=True) == nodes + [e["node"] for e in newer["edges"]]
    bad = gql(q, {"after": "not-an-id"})
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
