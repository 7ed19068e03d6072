"""Related parties over GraphQL: exposure rolls up to the group, the gate holds what fits
a member but not its group (also when members order at once over real HTTP), a member
blocked for severe overdue warns its siblings, and groups appear in the risk report."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from common.roles import Role
from tests.conftest import unique
from tests.integration.test_fulfilment import CANCEL, overdue_invoice
from tests.integration.test_orders import SUBMIT, line, new_customer, submit

pytestmark = pytest.mark.integration

CREATE = """mutation($i: CreateCustomerGroupInput!) { createCustomerGroup(input: $i) {
  group { id code name } errors { field code } } }"""
SET = """mutation($c: ID!, $g: ID) { setCustomerGroup(customerId: $c, groupId: $g) {
  customer { group { code } } errors { field code } } }"""
GROUP = """query($id: ID!) { customerGroup(id: $id) { code members { id }
  credit { limit exposure available } warnings { kind customer { id } } } }"""


def group_of(gql, limit: str, *members: str) -> str:  # type: ignore[no-untyped-def]
    made = gql(CREATE, {"i": {"code": unique("G"), "name": "华东医疗集团", "creditLimit": limit}}, Role.CREDIT_MANAGER)
    gid = made["data"]["createCustomerGroup"]["group"]["id"]
    for cid in members:
        assert gql(SET, {"c": cid, "g": gid}, Role.CREDIT_MANAGER)["data"]["setCustomerGroup"]["errors"] == []
    return gid


def test_exposure_rolls_up_and_the_gate_holds_for_the_group_limit(gql) -> None:  # type: ignore[no-untyped-def]
    a, b = new_customer(gql, "1000"), new_customer(gql, "1000")
    first = submit(gql, a, [line(price="300.00")])["order"]  # reserved before joining: it moves along
    gid = group_of(gql, "1000", a, b)
    assert gql(GROUP, {"id": gid})["data"]["customerGroup"]["credit"] == {
        "limit": "1000.00",
        "exposure": "300.00",
        "available": "700.00",
    }
    assert submit(gql, a, [line(price="400.00")])["order"]["status"] == "APPROVED"
    held = submit(gql, b, [line(price="400.00")])["order"]
    assert (held["status"], held["holdReasons"]) == ("HELD", ["GROUP_LIMIT"]), "fits B's own limit, not the group's"
    gql(CANCEL, {"id": first["id"], "note": "not needed"}, Role.CREDIT_MANAGER)
    assert submit(gql, b, [line(price="400.00")])["order"]["status"] == "APPROVED", "cancelling freed the group too"
    group = gql(GROUP, {"id": gid})["data"]["customerGroup"]
    assert group["credit"]["exposure"] == "800.00" and len(group["members"]) == 2
    customer = gql("query($id: ID!) { customer(id: $id) { group { id code } } }", {"id": a})["data"]["customer"]
    assert customer["group"]["id"] == gid
    report = gql("{ riskReport { byGroup { key customers exposure } } }")["data"]["riskReport"]["byGroup"]
    assert {"key": group["code"], "customers": 2, "exposure": "800.00"} in report
    left = gql(SET, {"c": a, "g": None}, Role.CREDIT_MANAGER)["data"]["setCustomerGroup"]["customer"]
    assert left["group"] is None
    assert gql(GROUP, {"id": gid})["data"]["customerGroup"]["credit"]["exposure"] == "400.00"
    sales = gql(SET, {"c": a, "g": gid}, Role.SALES)
    assert sales["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_two_members_cannot_together_pass_the_group_limit_under_concurrent_orders(gql, live_server, token_for) -> None:  # type: ignore[no-untyped-def]
    a, b = new_customer(gql, "50000"), new_customer(gql, "50000")
    gid = group_of(gql, "2000", a, b)
    headers = {"Authorization": f"Bearer {token_for(Role.SALES)}"}

    async def race() -> list[dict]:
        async with httpx.AsyncClient(base_url=live_server.url, headers=headers, timeout=120) as client:

            async def one(i: int) -> dict:
                cid = a if i % 2 else b
                variables = {"i": {"customerId": cid, "externalRef": f"G-{i}", "lines": [line(price="150.00")]}}
                response = await client.post("/graphql", json={"query": SUBMIT, "variables": variables})
                assert response.status_code == 200, response.text
                return response.json()["data"]["submitOrder"]["order"]

            return await asyncio.gather(*(one(i) for i in range(40)))

    orders = asyncio.run(race())
    approved = [Decimal(o["amount"]) for o in orders if o["status"] == "APPROVED"]
    assert sum(approved) == Decimal("1950.00"), "13 x 150 fits 2,000; a 14th would not"
    assert all(o["holdReasons"] == ["GROUP_LIMIT"] for o in orders if o["status"] == "HELD")
    assert gql(GROUP, {"id": gid})["data"]["customerGroup"]["credit"]["exposure"] == "1950.00"


def test_a_member_blocked_for_severe_overdue_warns_its_siblings(gql, worker) -> None:  # type: ignore[no-untyped-def]
    a, b = new_customer(gql, "100000"), new_customer(gql, "100000")
    gid = group_of(gql, "100000", a, b)
    overdue_invoice(gql, a, 100, amount="5000.00")
    worker.drain()
    blocked = gql("query($id: ID!) { customer(id: $id) { blocked } }", {"id": a})["data"]["customer"]["blocked"]
    assert blocked is True
    sibling = gql("query($id: ID!) { customer(id: $id) { blocked warnings { kind severity } } }", {"id": b})
    assert sibling["data"]["customer"]["blocked"] is False
    assert {"kind": "RELATED_PARTY_RISK", "severity": "HIGH"} in sibling["data"]["customer"]["warnings"]
    group = gql(GROUP, {"id": gid})["data"]["customerGroup"]
    assert sorted((w["kind"], w["customer"]["id"]) for w in group["warnings"]) == sorted(
        [("SEVERE_OVERDUE", a), ("RELATED_PARTY_RISK", b)]
    )
