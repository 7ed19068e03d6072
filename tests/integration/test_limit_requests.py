"""Limit requests with four eyes over GraphQL: who may ask, who may decide (never the
requester), a temporary limit falling back on its day, and the score history."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from common.roles import Role
from infra import ids
from infra.runtime import open_runtime
from services import rescoring
from tests.integration.test_orders import new_customer

pytestmark = pytest.mark.integration

REQUEST = """mutation($c: ID!, $l: Decimal!, $r: String!, $u: Date) {
  requestCreditLimit(customerId: $c, limit: $l, reason: $r, validUntil: $u) {
    limitRequest { id current requested reason requestedBy validUntil status customer { id } }
    errors { field code message } } }"""
DECIDE = """mutation($id: ID!, $note: String!) { %s(id: $id, note: $note) {
  limitRequest { status decidedBy decisionNote customer { credit { limit } } } errors { field code } } }"""
CUSTOMER = """query($id: ID!) { customer(id: $id) { credit { limit }
  limitRequests { id status requested } scoreHistory(first: 5) { day score grade policyVersion reason } } }"""
TODAY = datetime.now(UTC).date()


def ask(gql, cid: str, limit: str, role: Role, subject: str, until: date | None = None) -> dict:  # type: ignore[no-untyped-def]
    variables = {"c": cid, "l": limit, "r": "tender for a new hospital wing", "u": until.isoformat() if until else None}
    return gql(REQUEST, variables, role, subject=subject)["data"]["requestCreditLimit"]


def test_a_requester_cannot_approve_their_own_request(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "5000")
    made = ask(gql, cid, "80000", Role.CREDIT_MANAGER, "wang")
    request = made["limitRequest"]
    assert made["errors"] == []
    assert (request["current"], request["requested"], request["requestedBy"], request["status"]) == (
        "5000.00",
        "80000.00",
        "wang",
        "PENDING",
    )
    own = gql(
        DECIDE % "approveLimitRequest", {"id": request["id"], "note": "fine"}, Role.CREDIT_MANAGER, subject="wang"
    )
    assert [e["code"] for e in own["data"]["approveLimitRequest"]["errors"]] == ["FORBIDDEN"]
    sales = gql(DECIDE % "approveLimitRequest", {"id": request["id"], "note": "fine"}, Role.SALES, subject="li")
    assert sales["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert gql(CUSTOMER, {"id": cid})["data"]["customer"]["credit"]["limit"] == "5000.00"
    ok = gql(
        DECIDE % "approveLimitRequest", {"id": request["id"], "note": "tender won"}, Role.CREDIT_MANAGER, subject="zhao"
    )
    decided = ok["data"]["approveLimitRequest"]["limitRequest"]
    assert (decided["status"], decided["decidedBy"], decided["customer"]["credit"]["limit"]) == (
        "APPROVED",
        "zhao",
        "80000.00",
    )
    twice = gql(DECIDE % "declineLimitRequest", {"id": request["id"], "note": "no"}, Role.ADMIN, subject="root")
    assert [e["code"] for e in twice["data"]["declineLimitRequest"]["errors"]] == ["INVALID_STATE"]


def test_who_may_ask_and_declining_changes_nothing(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    for role in (Role.SALES, Role.FINANCE):
        assert ask(gql, cid, "2000", role, "someone")["errors"] == []
    viewer = gql(REQUEST, {"c": cid, "l": "2000", "r": "x"}, Role.VIEWER)
    assert viewer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = ask(gql, cid, "-5", Role.SALES, "s", until=TODAY)
    assert sorted((e["field"], e["code"]) for e in bad["errors"]) == [
        ("limit", "NEGATIVE_AMOUNT"),
        ("validUntil", "INVALID_DATE_RANGE"),
    ]
    request = ask(gql, cid, "3000", Role.SALES, "s")["limitRequest"]
    no = gql(DECIDE % "declineLimitRequest", {"id": request["id"], "note": "not now"}, Role.CREDIT_MANAGER, subject="c")
    assert no["data"]["declineLimitRequest"]["limitRequest"]["status"] == "DECLINED"
    customer = gql(CUSTOMER, {"id": cid})["data"]["customer"]
    assert customer["credit"]["limit"] == "1000.00"
    assert [r["status"] for r in customer["limitRequests"]] == ["DECLINED", "PENDING", "PENDING"]
    pending = gql("{ limitRequests(status: PENDING) { id customer { id } } }")["data"]["limitRequests"]
    assert sum(1 for r in pending if r["customer"]["id"] == cid) == 2


def test_a_temporary_limit_falls_back_by_itself_on_its_day(gql, settings, worker) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "10000")
    until = TODAY + timedelta(days=14)
    request = ask(gql, cid, "25000", Role.SALES, "sun", until=until)["limitRequest"]
    assert request["validUntil"] == until.isoformat()
    gql(DECIDE % "approveLimitRequest", {"id": request["id"], "note": "season peak"}, Role.CREDIT_MANAGER, subject="m")
    assert gql(CUSTOMER, {"id": cid})["data"]["customer"]["credit"]["limit"] == "25000.00"
    oid = ids.decode_oid(cid, "Customer")

    async def daily_sweep(day: date) -> None:
        async with open_runtime(settings) as rt:
            await rescoring.rescore_customer(rt, oid, today=day, reason="daily sweep")  # type: ignore[arg-type]

    asyncio.run(daily_sweep(until - timedelta(days=1)))
    assert gql(CUSTOMER, {"id": cid})["data"]["customer"]["credit"]["limit"] == "25000.00"
    asyncio.run(daily_sweep(until))
    customer = gql(CUSTOMER, {"id": cid})["data"]["customer"]
    assert customer["credit"]["limit"] == "10000.00"
    q = "query($c: ID!) { events(customerId: $c, first: 50) { edges { node { type payload } } } }"
    events = [e["node"] for e in gql(q, {"c": cid})["data"]["events"]["edges"]]
    ended = [e for e in events if e["type"] == "LIMIT_TEMPORARY_ENDED"]
    assert len(ended) == 1 and ended[0]["payload"]["after"] == "10000.00"
    history = customer["scoreHistory"]
    assert [h["day"] for h in history] == [until.isoformat(), (until - timedelta(days=1)).isoformat()]
    assert history[0]["reason"] == "daily sweep" and history[0]["grade"] in "ABCDE"
