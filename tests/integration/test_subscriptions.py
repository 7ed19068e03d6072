"""Live risk events and document status over a real WebSocket (graphql-transport-ws)
against the app under uvicorn, with events raised in the real Dramatiq worker."""

from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from common.roles import Role
from tests.conftest import unique
from tests.docgen import render_text_pdf
from tests.integration.test_documents import customer_for, fresh_truth, upload
from tests.support.waiting import subscriptions_made, wait_for_subscriptions, wait_until_async

pytestmark = pytest.mark.integration

RISK_EVENTS = """subscription($c: ID, $after: ID, $min: Severity) {
  riskEvents(customerId: $c, after: $after, minSeverity: $min) { id type severity customerId occurredAt payload } }"""
DOCUMENT_STATUS = """subscription($d: ID!) { documentStatus(documentId: $d) { id status } }"""


async def open_subscription(url: str, token: str, query: str, variables: dict[str, Any]) -> ClientConnection:
    ws = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert ack["type"] == "connection_ack", ack
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}))
    return ws


async def subscribed(server, token: str, query: str, variables: dict[str, Any]) -> ClientConnection:  # type: ignore[no-untyped-def]
    """``open_subscription`` on the live server, returned once the server has registered it:
    an event raised from then on reaches it (the protocol does not acknowledge a subscribe)."""
    since = subscriptions_made(server)
    ws = await open_subscription(server.ws_url, token, query, variables)
    await wait_for_subscriptions(server, 1, since=since)
    return ws


async def next_data(ws: ClientConnection, timeout: float = 30) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    assert message["type"] == "next", message
    return message["payload"]["data"]


def new_customer(gql) -> str:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"
    i = {
        "code": unique("S"),
        "legalName": "广州康达医疗器械有限公司",
        "type": "DISTRIBUTOR",
        "creditLimit": "50000",
    }
    return gql(q, {"i": i})["data"]["createCustomer"]["customer"]["id"]


def record_overdue_invoice(gql, cid: str, number: str, days_overdue: int) -> None:  # type: ignore[no-untyped-def]
    due = datetime.now(UTC).date() - timedelta(days=days_overdue)
    q = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { message } } }"
    i = {
        "customerId": cid,
        "number": number,
        "amount": "1000.00",
        "issuedOn": (due - timedelta(days=60)).isoformat(),
        "dueOn": due.isoformat(),
    }
    assert gql(q, {"i": i}, Role.FINANCE)["data"]["recordInvoice"]["errors"] == []


def test_worker_event_reaches_subscriber_within_a_second(gql, live_server, worker, token_for) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)

    async def scenario() -> list[float]:
        ws = await subscribed(live_server, token_for(Role.VIEWER), RISK_EVENTS, {"c": cid})
        try:
            record_overdue_invoice(gql, cid, "LAT-1", 20)
            worker.drain()
            latencies, types = [], set()
            while "WARNING_RAISED" not in types or "SCORE_CHANGED" not in types:
                data = await next_data(ws)
                event = data["riskEvents"]
                latencies.append(time.time() - datetime.fromisoformat(event["occurredAt"]).timestamp())
                types.add(event["type"])
                assert event["customerId"] == cid
            return latencies
        finally:
            await ws.close()

    latencies = asyncio.run(scenario())
    assert max(latencies) < 1.0, latencies


def test_reconnect_with_after_gets_exactly_what_was_missed_in_order(gql, live_server, worker, token_for) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)
    token = token_for(Role.CREDIT_MANAGER)

    async def collect(ws: ClientConnection, until_type: str, count: int) -> list[dict]:
        events: list[dict] = []
        while sum(e["type"] == until_type for e in events) < count:
            events.append((await next_data(ws))["riskEvents"])
        return events

    async def scenario() -> None:
        steady = await subscribed(live_server, token, RISK_EVENTS, {"c": cid})
        flaky = await subscribed(live_server, token, RISK_EVENTS, {"c": cid})
        record_overdue_invoice(gql, cid, "RC-1", 5)
        worker.drain()
        first = await collect(flaky, "SCORE_CHANGED", 1)
        await flaky.close()
        last_seen = first[-1]["id"]
        # While the client is away: more invoices, more rescoring, more events.
        record_overdue_invoice(gql, cid, "RC-2", 40)
        record_overdue_invoice(gql, cid, "RC-3", 100)
        worker.drain()
        everything = await collect(steady, "CUSTOMER_BLOCKED", 1)
        missed = [e for e in everything if e["id"] > last_seen]
        assert missed, "events happened while the client was away"
        back = await open_subscription(live_server.ws_url, token, RISK_EVENTS, {"c": cid, "after": last_seen})
        replayed = [(await next_data(back))["riskEvents"] for _ in missed]
        assert [e["id"] for e in replayed] == [e["id"] for e in missed]
        assert [e["id"] for e in replayed] == sorted(e["id"] for e in replayed)
        for ws in (steady, back):
            await ws.close()

    asyncio.run(scenario())


def test_events_stored_out_of_order_reach_subscribers_in_id_order(gql, live_server, settings, token_for) -> None:  # type: ignore[no-untyped-def]
    """Two processes raise events; the one that took the lower id finishes writing last.
    A live subscriber and one resuming with `after` both get them in id order, and an
    id whose process died before storing it stalls the feed only briefly."""
    from bson import ObjectId

    from infra import ids
    from infra.events import new_event, record_event, store_and_publish
    from infra.runtime import open_runtime
    from scoring.codes import Severity

    cid = new_customer(gql)
    oid = ids.decode_oid(cid, "Customer")
    assert isinstance(oid, ObjectId)
    token = token_for(Role.VIEWER)

    async def scenario() -> None:
        async with open_runtime(settings) as rt:

            async def raise_(kind: str) -> dict:
                return await record_event(rt.db, rt.redis, kind, Severity.INFO, oid, {})

            live = await subscribed(live_server, token, RISK_EVENTS, {"c": cid})
            before = await raise_("TEST_BEFORE")
            assert (await next_data(live))["riskEvents"]["id"] == before["_id"]

            hub = live_server.app.state.event_hub
            slow = await new_event(rt.db, "TEST_SLOW", Severity.INFO, oid, {})
            reads = hub.stats["store_reads"]
            fast = await raise_("TEST_FAST")
            # A client that resumes while the slow writer is still busy.
            resumed = await subscribed(live_server, token, RISK_EVENTS, {"c": cid, "after": before["_id"]})
            # The slow writer finishes only once the hub holds the fast event back and has
            # looked in the store for the slow one (a gap makes it poll the store).
            await wait_until_async(
                lambda: hub.stats["store_reads"] > reads, timeout=10, what="the hub to look for the missing id"
            )
            await store_and_publish(rt.db, rt.redis, slow)
            for ws in (live, resumed):
                got = [(await next_data(ws))["riskEvents"]["id"] for _ in range(2)]
                assert got == [slow["_id"], fast["_id"]]

            lost = await new_event(rt.db, "TEST_LOST", Severity.INFO, oid, {})
            after_lost = await raise_("TEST_AFTER_LOST")
            started = time.monotonic()
            event = (await next_data(live, timeout=20))["riskEvents"]
            assert event["id"] == after_lost["_id"] and event["id"] > lost["_id"]
            assert time.monotonic() - started < 15, "a lost id must not stall the feed"
            for ws in (live, resumed):
                await ws.close()

    asyncio.run(scenario())


def test_malformed_after_is_refused_with_a_clear_error(live_server, token_for) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> dict:
        ws = await open_subscription(live_server.ws_url, token_for(Role.VIEWER), RISK_EVENTS, {"after": "yesterday"})
        try:
            return json.loads(await asyncio.wait_for(ws.recv(), 10))
        finally:
            await ws.close()

    message = asyncio.run(scenario())
    assert message["type"] == "next" and message["payload"]["data"] is None
    assert "`after` must be the id of an event" in message["payload"]["errors"][0]["message"]


def test_min_severity_filters_the_feed(gql, live_server, worker, token_for) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)

    async def scenario() -> list[dict]:
        ws = await subscribed(live_server, token_for(Role.EXECUTIVE), RISK_EVENTS, {"c": cid, "min": "CRITICAL"})
        record_overdue_invoice(gql, cid, "SEV-1", 120)
        worker.drain()
        event = (await next_data(ws))["riskEvents"]
        await ws.close()
        return [event]

    (event,) = asyncio.run(scenario())
    assert event["severity"] == "CRITICAL"


def test_unauthenticated_websocket_is_refused(live_server) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        ws = await connect(live_server.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403

    asyncio.run(scenario())


def test_document_status_goes_queued_processing_final(app_client, gql, live_server, worker, token_for) -> None:  # type: ignore[no-untyped-def]
    truth = fresh_truth("class2_filing", 81)
    cid = customer_for(gql, truth)

    async def scenario() -> list[str]:
        with worker.paused():
            doc = upload(
                app_client,
                token_for(Role.ONBOARDING),
                cid,
                "f.pdf",
                render_text_pdf(truth, random.Random(8)),
                "application/pdf",
            )["document"]
            ws = await open_subscription(
                live_server.ws_url, token_for(Role.ONBOARDING), DOCUMENT_STATUS, {"d": doc["id"]}
            )
            statuses = [(await next_data(ws))["documentStatus"]["status"]]
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if message["type"] == "complete":
                break
            statuses.append(message["payload"]["data"]["documentStatus"]["status"])
        await ws.close()
        return statuses

    statuses = asyncio.run(scenario())
    assert statuses[:2] == ["QUEUED", "PROCESSING"]
    assert statuses[-1] in ("VERIFIED", "NEEDS_REVIEW") and len(statuses) == 3
