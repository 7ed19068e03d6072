"""The event hub over real WebSockets (graphql-transport-ws) against the app under uvicorn:
fan-out past the old 100-connection cap, filters, paged replay, a slow client closed
with a resume message, reconnecting with `after` during a burst, keep-alive pings and
the close code at shutdown. Events are raised through the API and, as workers do,
through ``infra.events.record_event`` from another runtime."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from bson import ObjectId
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from common.roles import Role
from infra import ids
from infra.eventhub import HubOptions
from infra.events import CHANNEL, record_event
from infra.runtime import Runtime, open_runtime
from infra.settings import Settings
from scoring.codes import Severity
from tests.conftest import LiveServer
from tests.integration.test_subscriptions import RISK_EVENTS, new_customer, open_subscription
from tests.support.waiting import subscriptions_made, wait_for_subscriptions

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hub_server(settings: Settings) -> Iterator[LiveServer]:
    """An API process whose hub has small limits, so limits are reached quickly."""
    server = LiveServer(
        settings,
        HubOptions(queue_size=4, page_size=5, heartbeat_seconds=1.0, max_gap_wait=timedelta(seconds=2)),
    )
    server.start()
    yield server
    server.stop()


def oid_of(customer_id: str) -> ObjectId:
    oid = ids.decode_oid(customer_id, "Customer")
    assert isinstance(oid, ObjectId)
    return oid


async def raise_events(rt: Runtime, customer: ObjectId, count: int, **options: Any) -> list[str]:
    severity = options.pop("severity", Severity.INFO)
    payload = options.pop("payload", {})
    return [
        (await record_event(rt.db, rt.redis, "TEST_HUB", severity, customer, {**payload, "n": n}))["_id"]
        for n in range(count)
    ]


async def next_message(ws: ClientConnection, timeout: float = 30) -> dict[str, Any]:
    """The next message that is not a keep-alive ping (those are answered, as clients do)."""
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message["type"] != "ping":
            return message
        await ws.send(json.dumps({"type": "pong"}))


async def events_of(ws: ClientConnection, count: int, timeout: float = 30) -> list[dict[str, Any]]:
    events = []
    for _ in range(count):
        message = await next_message(ws, timeout)
        assert message["type"] == "next" and message["payload"]["data"], message
        events.append(message["payload"]["data"]["riskEvents"])
    return events


def test_fan_out_reaches_more_screens_than_the_old_pool_cap(gql, live_server, settings, token_for) -> None:  # type: ignore[no-untyped-def]
    """150 subscriptions (the old code stopped at 100) share one Redis subscription, and
    every one receives the API's own event exactly once."""
    cid = new_customer(gql)
    token = token_for(Role.SALES)

    async def scenario() -> None:
        async with open_runtime(settings) as rt:
            since = subscriptions_made(live_server)
            screens = await asyncio.gather(
                *(open_subscription(live_server.ws_url, token, RISK_EVENTS, {"c": cid}) for _ in range(150))
            )
            await wait_for_subscriptions(live_server, 150, since=since)
            # One Redis subscription per API process in this test run, not one per screen.
            [(_, listeners)] = await rt.redis.pubsub_numsub(CHANNEL)
            assert listeners < 10, listeners
            q = 'mutation($c: ID!) { setCreditLimit(customerId: $c, limit: "75000", reason: "fan-out") { errors { message } } }'
            assert gql(q, {"c": cid}, Role.CREDIT_MANAGER)["data"]["setCreditLimit"]["errors"] == []
            got = await asyncio.gather(*(events_of(ws, 1) for ws in screens))
            assert {e[0]["type"] for e in got} == {"LIMIT_CHANGED"}
            assert len({e[0]["id"] for e in got}) == 1
            for ws in screens:
                await ws.close()

    asyncio.run(scenario())


def test_each_subscriber_gets_exactly_what_its_filter_selects(gql, live_server, settings, token_for) -> None:  # type: ignore[no-untyped-def]
    first, second = new_customer(gql), new_customer(gql)
    token = token_for(Role.VIEWER)

    async def scenario() -> None:
        async with open_runtime(settings) as rt:
            since = subscriptions_made(live_server)
            of_first = await open_subscription(live_server.ws_url, token, RISK_EVENTS, {"c": first})
            of_second = await open_subscription(live_server.ws_url, token, RISK_EVENTS, {"c": second})
            high_first = await open_subscription(live_server.ws_url, token, RISK_EVENTS, {"c": first, "min": "HIGH"})
            # Another selection on the same events: results are shared per query shape only.
            ids_only = await open_subscription(
                live_server.ws_url, token, "subscription($c: ID) { riskEvents(customerId: $c) { id } }", {"c": first}
            )
            await wait_for_subscriptions(live_server, 4, since=since)
            raised: list[tuple[str, str, Severity]] = []
            for customer, severity in [
                (first, Severity.INFO),
                (second, Severity.HIGH),
                (first, Severity.CRITICAL),
                (second, Severity.LOW),
                (first, Severity.MEDIUM),
                (first, Severity.HIGH),
            ]:
                (event_id,) = await raise_events(rt, oid_of(customer), 1, severity=severity)
                raised.append((event_id, customer, severity))

            def expected(customer: str, at_least: Severity = Severity.INFO) -> list[str]:
                return [i for i, c, s in raised if c == customer and s >= at_least]

            for ws, want in [
                (of_first, expected(first)),
                (of_second, expected(second)),
                (high_first, expected(first, Severity.HIGH)),
            ]:
                assert [e["id"] for e in await events_of(ws, len(want))] == want
                with pytest.raises(TimeoutError):  # and nothing else
                    await next_message(ws, timeout=0.5)
                await ws.close()
            shaped = await events_of(ids_only, len(expected(first)))
            assert shaped == [{"id": i} for i in expected(first)]
            await ids_only.close()

    asyncio.run(scenario())


def test_replay_after_an_id_is_served_from_the_store_in_pages(gql, hub_server, settings, token_for) -> None:  # type: ignore[no-untyped-def]
    """23 missed events with pages of 5: all of them in order, then the live feed."""
    cid = new_customer(gql)
    other = new_customer(gql)

    async def scenario() -> None:
        async with open_runtime(settings) as rt:
            (seen,) = await raise_events(rt, oid_of(cid), 1)
            missed = []
            for _ in range(23):  # interleaved with another customer's events
                missed += await raise_events(rt, oid_of(cid), 1)
                await raise_events(rt, oid_of(other), 1)
            ws = await open_subscription(
                hub_server.ws_url, token_for(Role.VIEWER), RISK_EVENTS, {"c": cid, "after": seen}
            )
            assert [e["id"] for e in await events_of(ws, 23)] == missed
            (live,) = await raise_events(rt, oid_of(cid), 1)
            assert [e["id"] for e in await events_of(ws, 1)] == [live]
            await ws.close()

    asyncio.run(scenario())


async def _held_still(url: str, token: str, variables: dict[str, Any]) -> ClientConnection:
    """A client that reads nothing, with a small receive window so the server notices soon."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((url.split("/")[2].split(":")[0], int(url.split(":")[2].split("/")[0])))
    ws = await connect(url, sock=sock, subprotocols=["graphql-transport-ws"], max_size=None)  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
    await ws.send(
        json.dumps({"id": "1", "type": "subscribe", "payload": {"query": RISK_EVENTS, "variables": variables}})
    )
    # websockets reads ahead into its own buffer; pause the transport as a stuck client would.
    ws.transport.pause_reading()
    return ws


def test_a_slow_client_is_closed_with_a_resume_message_while_others_keep_receiving(
    gql, hub_server, settings, token_for
) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql)
    token = token_for(Role.VIEWER)
    # Random, so that per-message compression cannot shrink it: fills the socket buffers
    # in a few dozen events.
    bulky = {"filler": base64.b64encode(os.urandom(45_000)).decode()}

    async def scenario() -> None:
        async with open_runtime(settings) as rt:
            hub = hub_server.app.state.event_hub
            since = subscriptions_made(hub_server)
            slow = await _held_still(hub_server.ws_url, token, {"c": cid})
            fast = await open_subscription(hub_server.ws_url, token, RISK_EVENTS, {"c": cid})
            await wait_for_subscriptions(hub_server, 2, since=since)
            closed_before = hub.stats["closed_too_slow"]
            raised: list[str] = []
            fast_got: list[str] = []
            while hub.stats["closed_too_slow"] == closed_before:
                assert len(raised) < 1000, "the held client was never closed"
                raised += await raise_events(rt, oid_of(cid), 5, payload=bulky)
                # The fast client keeps up all along, unaffected by the stuck one.
                fast_got += [e["id"] for e in await events_of(fast, len(raised) - len(fast_got))]
            raised += await raise_events(rt, oid_of(cid), 3)
            fast_got += [e["id"] for e in await events_of(fast, len(raised) - len(fast_got))]
            assert fast_got == raised

            # The stuck client wakes up: what was in flight, in order, then how to resume.
            slow.transport.resume_reading()
            received: list[str] = []
            message: dict[str, Any] = {}
            while True:
                message = await next_message(slow)
                if message["type"] != "next" or message["payload"]["data"] is None:
                    break
                received.append(message["payload"]["data"]["riskEvents"]["id"])
            assert received == raised[: len(received)]
            (error,) = message["payload"]["errors"]
            assert error["extensions"]["code"] == "SUBSCRIPTION_TOO_SLOW"
            assert "after" in error["message"]
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(slow.recv(), 30)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013

            # Resuming with the last id it received gives exactly the rest.
            back = await open_subscription(hub_server.ws_url, token, RISK_EVENTS, {"c": cid, "after": received[-1]})
            rest = [e["id"] for e in await events_of(back, len(raised) - len(received))]
            assert received + rest == raised
            for ws in (fast, back):
                await ws.close()

    asyncio.run(scenario())


def test_reconnecting_with_after_during_a_burst_misses_nothing(gql, live_server, settings, token_for) -> None:  # type: ignore[no-untyped-def]
    """Two producers (as the API and a worker) raise 2 x 60 events while a client drops
    out twice and comes back with `after`: it ends with every id once, in order."""
    cid = new_customer(gql)
    token = token_for(Role.CREDIT_MANAGER)

    async def scenario() -> None:
        async with open_runtime(settings) as api_side, open_runtime(settings) as worker_side:
            since = subscriptions_made(live_server)
            ws = await open_subscription(live_server.ws_url, token, RISK_EVENTS, {"c": cid})
            await wait_for_subscriptions(live_server, 1, since=since)

            async def produce(rt: Runtime) -> list[str]:
                raised = []
                for _ in range(60):
                    raised += await raise_events(rt, oid_of(cid), 1)
                    # Pacing, not waiting: the burst lasts long enough for the client to drop
                    # out and come back in the middle of it, with both producers interleaved.
                    await asyncio.sleep(0.005)
                return raised

            burst = asyncio.gather(produce(api_side), produce(worker_side))
            received: list[str] = []
            for stop_after in (15, 35):
                while len(received) < stop_after:
                    received += [e["id"] for e in await events_of(ws, 1)]
                await ws.close()
                ws = await open_subscription(live_server.ws_url, token, RISK_EVENTS, {"c": cid, "after": received[-1]})
            raised = sorted(sum(await burst, []))
            while len(received) < len(raised):
                received += [e["id"] for e in await events_of(ws, 1)]
            assert received == raised
            await ws.close()

    asyncio.run(scenario())


def test_the_hub_catches_up_from_the_store_after_losing_redis(gql, hub_server, settings, token_for) -> None:  # type: ignore[no-untyped-def]
    """Redis drops the hub's subscription; events raised meanwhile still arrive, in order."""
    cid = new_customer(gql)

    async def scenario() -> None:
        async with open_runtime(settings) as rt:
            since = subscriptions_made(hub_server)
            ws = await open_subscription(hub_server.ws_url, token_for(Role.VIEWER), RISK_EVENTS, {"c": cid})
            await wait_for_subscriptions(hub_server, 1, since=since)
            first = await raise_events(rt, oid_of(cid), 1)
            assert [e["id"] for e in await events_of(ws, 1)] == first
            assert await rt.redis.client_kill_filter(_type="pubsub") >= 1
            during = await raise_events(rt, oid_of(cid), 3)
            assert [e["id"] for e in await events_of(ws, 3, timeout=20)] == during
            after = await raise_events(rt, oid_of(cid), 1)
            assert [e["id"] for e in await events_of(ws, 1)] == after
            await ws.close()

    asyncio.run(scenario())


def test_an_event_whose_publish_was_lost_is_found_in_the_store(gql, hub_server, settings, token_for) -> None:  # type: ignore[no-untyped-def]
    """Stored but never published (Redis was away): the gap it leaves sends the hub to the
    store once, and subscribers get it in its place, before the next one."""
    from infra.events import new_event
    from store import events as event_store

    cid = new_customer(gql)

    async def scenario() -> None:
        async with open_runtime(settings) as rt:
            hub = hub_server.app.state.event_hub
            since = subscriptions_made(hub_server)
            ws = await open_subscription(hub_server.ws_url, token_for(Role.VIEWER), RISK_EVENTS, {"c": cid})
            await wait_for_subscriptions(hub_server, 1, since=since)
            unpublished = await new_event(rt.db, "TEST_UNPUBLISHED", Severity.INFO, oid_of(cid), {})
            await event_store.insert_event(rt.db, unpublished)
            reads_before = hub.stats["store_reads"]
            published = await raise_events(rt, oid_of(cid), 1)
            assert [e["id"] for e in await events_of(ws, 2)] == [unpublished["_id"], *published]
            assert hub.stats["store_reads"] > reads_before
            await ws.close()

    asyncio.run(scenario())


def test_idle_subscriptions_get_keep_alive_pings(hub_server, token_for) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> dict[str, Any]:
        ws = await open_subscription(hub_server.ws_url, token_for(Role.VIEWER), RISK_EVENTS, {})
        try:
            return json.loads(await asyncio.wait_for(ws.recv(), 10))
        finally:
            await ws.close()

    assert asyncio.run(scenario())["type"] == "ping"


def test_stopping_the_server_tells_every_subscriber_to_reconnect(settings, token_for) -> None:  # type: ignore[no-untyped-def]
    server = LiveServer(settings)
    server.start()

    async def scenario() -> list[int | None]:
        screens = [await open_subscription(server.ws_url, token_for(Role.VIEWER), RISK_EVENTS, {}) for _ in range(5)]
        await wait_for_subscriptions(server, 5)
        stopping = asyncio.get_running_loop().run_in_executor(None, server.stop)
        codes: list[int | None] = []
        for ws in screens:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 20)
            codes.append(closed.value.rcvd.code if closed.value.rcvd else None)
        await stopping
        return codes

    assert asyncio.run(scenario()) == [1012] * 5
