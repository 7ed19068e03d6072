"""The order gate under pressure: 200 concurrent orders for one customer over real HTTP,
split across two API servers (each with its own process state), all decided in time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from common.roles import Role
from tests.conftest import LiveServer
from tests.integration.test_orders import SUBMIT, line, new_customer

pytestmark = pytest.mark.integration

LEAN_SUBMIT = """mutation($i: SubmitOrderInput!) { submitOrder(input: $i) {
  order { id externalRef amount status holdReasons } errors { field code message } } }"""


@pytest.fixture(scope="module")
def second_server(settings) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


def _race(
    urls: list[str], token: str, cid: str, n: int, price: str, query: str, prefix: str = "R"
) -> list[tuple[int, dict, float]]:
    async def go() -> list[tuple[int, dict, float]]:
        headers = {"Authorization": f"Bearer {token}"}
        limits = httpx.Limits(max_connections=n)
        clients = [httpx.AsyncClient(base_url=u, headers=headers, timeout=120, limits=limits) for u in urls]

        async def one(i: int) -> tuple[int, dict, float]:
            variables = {"i": {"customerId": cid, "externalRef": f"{prefix}-{i}", "lines": [line(price=price)]}}
            start = time.perf_counter()
            response = await clients[i % len(clients)].post("/graphql", json={"query": query, "variables": variables})
            return response.status_code, response.json(), time.perf_counter() - start

        try:
            return await asyncio.gather(*(one(i) for i in range(n)))
        finally:
            for client in clients:
                await client.aclose()

    return asyncio.run(go())


def test_two_hundred_concurrent_orders_on_two_servers_are_all_decided(  # type: ignore[no-untyped-def]
    gql, live_server, second_server, token_for
) -> None:
    cid = new_customer(gql, "10000")
    results = _race([live_server.url, second_server.url], token_for(Role.SALES), cid, 200, "70.00", SUBMIT)
    assert all(status == 200 for status, _, _ in results), [body for status, body, _ in results if status != 200][:3]
    assert all("errors" not in body for _, body, _ in results), "no top-level (system) error"
    payloads = [body["data"]["submitOrder"] for _, body, _ in results]
    assert all(p["errors"] == [] and p["order"] is not None for p in payloads)
    approved = [Decimal(p["order"]["amount"]) for p in payloads if p["order"]["status"] == "APPROVED"]
    assert sum(approved) <= Decimal("10000")
    assert len(approved) == 142, "70 x 142 = 9,940 fits; the gate leaves no fitting order held"
    assert all(p["order"]["holdReasons"] == ["CREDIT_LIMIT"] for p in payloads if p["order"]["status"] == "HELD")
    credit = gql("query($id: ID!) { customer(id: $id) { credit { exposure } } }", {"id": cid})
    assert credit["data"]["customer"]["credit"]["exposure"] == "9940.00"


def test_two_hundred_concurrent_orders_are_answered_without_waiting_on_each_other(  # type: ignore[no-untyped-def]
    gql, live_server, token_for
) -> None:
    cid = new_customer(gql, "5000")
    _race([live_server.url], token_for(Role.SALES), cid, 20, "1.00", LEAN_SUBMIT, "WARM")  # warm the server up
    results = _race([live_server.url], token_for(Role.SALES), cid, 200, "10.00", LEAN_SUBMIT)
    latencies = sorted(seconds for _, _, seconds in results)
    assert all(status == 200 and body["data"]["submitOrder"]["errors"] == [] for status, body, _ in results)
    # Speed is measured by bench/order_gate.py (API in its own process); this test only
    # holds the gate to deciding rather than queueing: the polling lock it replaced took
    # ~72 s for this race and failed 198 of 200 calls. The client shares this process's
    # GIL with the server, so its latencies read high.
    p99 = latencies[int(0.99 * len(latencies)) - 1]
    assert p99 <= 30, f"p99 {p99:.3f} s (p50 {latencies[len(latencies) // 2]:.3f} s)"
