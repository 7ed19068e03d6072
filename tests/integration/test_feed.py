"""Who sees what: ``myWarnings`` and ``riskEvents(role:)`` on the real stack."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from common.roles import Role
from tests.conftest import unique
from tests.integration.test_subscriptions import next_data, open_subscription

pytestmark = pytest.mark.integration
TODAY = datetime.now(UTC).date()

MY_WARNINGS = "{ myWarnings(first: 500) { id kind severity notifyRoles acknowledgedAt customer { id } } }"
ROLE_EVENTS = """subscription($c: ID, $after: ID, $role: Role) {
  riskEvents(customerId: $c, after: $after, role: $role) { id type payload } }"""


def overdue_customer(gql) -> str:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"
    i = {
        "code": unique("F"),
        "legalName": "杭州康泽医疗器械有限公司",
        "type": "DISTRIBUTOR",
        "creditLimit": "300000",
        "attributes": {"customer_since": "2019-01-01"},
    }
    cid = gql(q, {"i": i})["data"]["createCustomer"]["customer"]["id"]
    inv = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { message } } }"
    for number, amount, due in ((unique("O"), "5000.00", -5), (unique("C"), "50000.00", 90)):
        due_on = TODAY + timedelta(days=due)
        i = {
            "customerId": cid,
            "number": number,
            "amount": amount,
            "issuedOn": (min(due_on, TODAY) - timedelta(days=30)).isoformat(),
            "dueOn": due_on.isoformat(),
        }
        assert gql(inv, {"i": i}, Role.FINANCE)["data"]["recordInvoice"]["errors"] == []
    return cid


def test_my_warnings_lists_what_my_roles_are_told_unacknowledged_first(gql, worker) -> None:  # type: ignore[no-untyped-def]
    cid = overdue_customer(gql)
    worker.drain()
    sales = [w for w in gql(MY_WARNINGS, None, Role.SALES)["data"]["myWarnings"] if w["customer"]["id"] == cid]
    assert "OVERDUE_REMINDER" in [w["kind"] for w in sales]
    assert all("SALES" in w["notifyRoles"] for w in gql(MY_WARNINGS, None, Role.SALES)["data"]["myWarnings"])
    onboarding = gql(MY_WARNINGS, None, Role.ONBOARDING)["data"]["myWarnings"]
    assert cid not in [w["customer"]["id"] for w in onboarding if w["kind"] == "OVERDUE_REMINDER"]

    reminder = next(w for w in sales if w["kind"] == "OVERDUE_REMINDER")
    ack = 'mutation($id: ID!) { acknowledgeWarning(id: $id, note: "called them") { errors { code } } }'
    assert gql(ack, {"id": reminder["id"]}, Role.SALES)["data"]["acknowledgeWarning"]["errors"] == []
    feed = gql(MY_WARNINGS, None, Role.SALES)["data"]["myWarnings"]
    seen = [w["acknowledgedAt"] is not None for w in feed]
    assert seen == sorted(seen), "unacknowledged warnings come first"
    assert next(w for w in feed if w["id"] == reminder["id"])["acknowledgedAt"] is not None


def test_risk_events_role_filter(gql, live_server, worker, token_for) -> None:  # type: ignore[no-untyped-def]
    cid = overdue_customer(gql)
    worker.drain()
    limit = """mutation($c: ID!) { setCreditLimit(customerId: $c, limit: "310000", reason: "last") { errors { message } } }"""
    assert gql(limit, {"c": cid}, Role.CREDIT_MANAGER)["data"]["setCreditLimit"]["errors"] == []

    async def received(role: str) -> list[dict]:
        ws = await open_subscription(
            live_server.ws_url, token_for(Role.VIEWER), ROLE_EVENTS, {"c": cid, "after": "0" * 20, "role": role}
        )
        events: list[dict] = []
        try:
            # Everything up to the last limit change, replayed from the store in id order.
            while not events or events[-1]["payload"].get("after") != "310000.00":
                events.append((await next_data(ws, 15))["riskEvents"])
        finally:
            await ws.close()
        return events

    finance = asyncio.run(received("FINANCE"))
    assert {e["type"] for e in finance} == {"LIMIT_CHANGED"}
    sales = asyncio.run(received("SALES"))
    kinds = {e["payload"].get("kind") for e in sales if e["type"] == "WARNING_RAISED"}
    assert "OVERDUE_REMINDER" in kinds
    assert all("SALES" in e["payload"]["notifyRoles"] for e in sales if "notifyRoles" in e["payload"])
