"""Many live screens on one API process: ``python -m bench.subscribers [--counts 20,200,1000]``.

For each N: a fresh API process under uvicorn (as ``make run`` starts it), N clients
over real WebSockets (graphql-transport-ws), each subscribed to ``riskEvents`` for one
customer. Events come from two sides at once: ``setCreditLimit`` mutations sent to the
API, and a separate worker-like process raising events through ``infra.events`` for that
customer and for another one (which no subscriber asked for).

Reports, per N: how many subscribers received exactly the stored matching events (each
once, in id order, none of the other customer's), the time from a mutation's start (or,
for the worker's events, from just before the worker stored it) to each client receiving
it (p50/p99), the API process's resident memory per subscriber, and how many clients
were told to reconnect (close code 1012) when the API stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

QUERY = "subscription($c: ID) { riskEvents(customerId: $c) { id type payload } }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


# -- the worker side: a separate process raising events the way actors do ---------------


def _produce(customer: str, decoy: str, count: int, pause: float, start_at: float) -> None:
    from infra import ids
    from infra.events import record_event
    from infra.runtime import open_runtime
    from infra.settings import load_settings
    from scoring.codes import Severity

    async def run() -> None:
        async with open_runtime(load_settings()) as rt:
            await asyncio.sleep(max(0.0, start_at - time.time()))
            for i in range(count):
                for target in (customer, decoy):
                    payload = {"n": i, "sentAt": time.time()}
                    oid = ids.decode_oid(target, "Customer")
                    assert oid is not None
                    await record_event(rt.db, rt.redis, "BENCH_WORKER", Severity.HIGH, oid, payload)
                await asyncio.sleep(pause)

    asyncio.run(run())


# -- the screens -----------------------------------------------------------------------


@dataclass
class Screen:
    received: list[tuple[str, str, dict[str, Any], float]] = field(default_factory=list)
    close_code: int | None = None
    errors: list[Any] = field(default_factory=list)


async def _screen(url: str, token: str, customer_id: str, screen: Screen, subscribed: asyncio.Event) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    ws = await connect(url, subprotocols=["graphql-transport-ws"], open_timeout=60)  # type: ignore[list-item]
    try:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        await ws.recv()
        payload = {"query": QUERY, "variables": {"c": customer_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        subscribed.set()
        async for raw in ws:
            now = time.time()
            message = json.loads(raw)
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif message["type"] == "next" and message["payload"].get("data"):
                event = message["payload"]["data"]["riskEvents"]
                screen.received.append((event["id"], event["type"], event["payload"], now))
            else:
                screen.errors.append(message)
    except ConnectionClosed as closed:
        screen.close_code = closed.rcvd.code if closed.rcvd else None
    else:
        screen.close_code = ws.close_code


async def _until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


# -- one round: N subscribers on a fresh API process ---------------------------------------


@dataclass
class Round:
    subscribers: int
    complete: int
    in_order: int
    expected_events: int
    api_latencies_ms: list[float]
    worker_latencies_ms: list[float]
    rss_per_subscriber: float
    told_to_reconnect: int
    mutation_ms: list[float]
    cpu_per_delivery_us: float


def _start_api(env: dict[str, str], extra: list[str]) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    argv = [sys.executable, "-m", "uvicorn", "api.asgi:app", "--port", str(port), "--log-level", "warning", *extra]
    api = subprocess.Popen(argv, env=env)
    _wait_for_port(port)
    return api, port


async def _round(n: int, args: argparse.Namespace, env: dict[str, str]) -> Round:
    from api.auth import mint_token
    from common.roles import Role
    from infra.settings import load_settings

    settings = load_settings()
    admin = mint_token(settings.secret_key, "bench", [Role.ADMIN], 1)
    viewer = mint_token(settings.secret_key, "screen", [Role.VIEWER], 1)
    api, port = _start_api(env, args.uvicorn_args.split())
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {admin}"})
    try:

        async def gql(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            response = await http.post("/graphql", json={"query": query, "variables": variables}, timeout=60)
            body: dict[str, Any] = response.json()
            assert "errors" not in body, body
            return body["data"]

        create = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"
        customers = []
        for name in ("target", "decoy"):
            fields = {
                "code": f"B-{name}-{uuid.uuid4().hex[:8]}",
                "legalName": "上海医疗器械有限公司",
                "type": "DISTRIBUTOR",
            }
            customers.append((await gql(create, {"i": fields}))["createCustomer"]["customer"]["id"])
        target, decoy = customers

        set_limit = """mutation($c: ID!, $l: Decimal!, $r: String!) {
            setCreditLimit(customerId: $c, limit: $l, reason: $r) { errors { message } } }"""
        limit = 100_000

        mutation_ms: list[float] = []

        async def change_limit(reason: str) -> tuple[Decimal, float]:
            nonlocal limit
            limit += 1000
            started = time.time()
            await gql(set_limit, {"c": target, "l": str(limit), "r": reason})
            mutation_ms.append((time.time() - started) * 1000)
            return Decimal(limit), started

        await change_limit("warm-up before any subscriber")
        await asyncio.sleep(0.5)
        rss_before = _rss_bytes(api.pid)

        url = f"ws://127.0.0.1:{port}/graphql"
        screens = [Screen() for _ in range(n)]
        tasks = []
        for batch in range(0, n, 100):  # open in batches, as screens come and go in waves
            ready = [asyncio.Event() for _ in screens[batch : batch + 100]]
            for screen, event in zip(screens[batch : batch + 100], ready, strict=True):
                tasks.append(asyncio.create_task(_screen(url, viewer, target, screen, event)))
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready)), 120)

        # A first event proves every subscription is live before measuring.
        await change_limit("warm-up with subscribers")
        if not await _until(lambda: all(s.received for s in screens), 120):
            missing = sum(not s.received for s in screens)
            print(f"  warning: {missing} of {n} subscribers got no warm-up event", flush=True)
        baseline = max((s.received[0][0] for s in screens if s.received), default="0")
        rss_after = _rss_bytes(api.pid)

        context = multiprocessing.get_context("spawn")
        worker = context.Process(
            target=_produce, args=(target, decoy, args.worker_events, args.pause, time.time() + 2.0 + args.pause / 2)
        )
        worker.start()
        await asyncio.sleep(2.0)
        cpu_before = _cpu_seconds(api.pid)
        # Matched by the new limit: a VIEWER's screen is not shown who changed it or why.
        api_started: dict[Decimal, float] = {}
        for i in range(args.api_events):
            new_limit, started = await change_limit(f"bench {i}")
            api_started[new_limit] = started
            await asyncio.sleep(args.pause)
        await asyncio.get_running_loop().run_in_executor(None, worker.join)
        await _until(lambda: all(len(s.received) >= 1 + args.api_events + args.worker_events for s in screens), 30)
        cpu_used = _cpu_seconds(api.pid) - cpu_before

        expected = await _stored_ids_after(settings, target, baseline)
        await _until(lambda: all(len(s.received) >= len(expected) + 1 for s in screens), 30)

        complete = in_order = 0
        api_ms: list[float] = []
        worker_ms: list[float] = []
        for screen in screens:
            got = [event_id for event_id, *_ in screen.received if event_id > baseline]
            complete += got == expected
            in_order += all(a < b for a, b in zip(got, got[1:], strict=False))
            for event_id, kind, payload, arrived in screen.received:
                if event_id <= baseline:
                    continue
                if kind == "LIMIT_CHANGED" and Decimal(str(payload.get("after"))) in api_started:
                    api_ms.append((arrived - api_started[Decimal(str(payload["after"]))]) * 1000)
                elif kind == "BENCH_WORKER":
                    worker_ms.append((arrived - payload["sentAt"]) * 1000)

        # Stopping the API: every open screen should be told to reconnect (1012).
        api.send_signal(signal.SIGTERM)
        await asyncio.wait(tasks, timeout=30)
        told = sum(s.close_code == 1012 for s in screens)
        for task in tasks:
            task.cancel()
        return Round(
            subscribers=n,
            complete=complete,
            in_order=in_order,
            expected_events=len(expected),
            api_latencies_ms=api_ms,
            worker_latencies_ms=worker_ms,
            rss_per_subscriber=(rss_after - rss_before) / n,
            told_to_reconnect=told,
            mutation_ms=mutation_ms[2:],
            cpu_per_delivery_us=cpu_used / max(1, sum(len(s.received) for s in screens) - n) * 1e6,
        )
    finally:
        await http.aclose()
        if api.poll() is None:
            api.send_signal(signal.SIGTERM)
        try:
            api.wait(30)
        except subprocess.TimeoutExpired:
            api.kill()


async def _stored_ids_after(settings: Any, customer_id: str, baseline: str) -> list[str]:
    """Every event stored for the customer after the baseline: what each screen must get."""
    from infra import ids
    from store import events as store
    from store.connection import open_database

    client, db = open_database(settings.mongodb_url, settings.mongodb_db)
    try:
        stored = await store.events_after(db, baseline, customer_id=ids.decode_oid(customer_id, "Customer"))
        return [event["_id"] for event in stored]
    finally:
        client.close()


def _describe(values: list[float]) -> str:
    if not values:
        return "none"
    return f"p50 {statistics.median(values):.0f} ms, p99 {_percentile(values, 0.99):.0f} ms, max {max(values):.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="20,200,1000", help="subscriber counts, comma-separated")
    parser.add_argument("--api-events", type=int, default=10, help="setCreditLimit mutations per round")
    parser.add_argument("--worker-events", type=int, default=10, help="events per customer from the worker process")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between events on each side")
    parser.add_argument(
        "--uvicorn-args",
        default="--ws-per-message-deflate false",
        help="uvicorn options for the API process (default: as make run starts it)",
    )
    args = parser.parse_args()

    env = dict(os.environ)
    db_process = None
    if not env.get("MONGODB_URL"):
        db_port = _free_port()
        env["MEDCREDIT_DATA_DIR"] = tempfile.mkdtemp(prefix="medcredit-bench-")
        db_process = subprocess.Popen([sys.executable, "-m", "api.cli", "db", "--port", str(db_port)], env=env)
        _wait_for_port(db_port)
        env["MONGODB_URL"] = f"mongodb://127.0.0.1:{db_port}/?directConnection=true"
    env["MONGODB_DB"] = f"medcredit_bench_{uuid.uuid4().hex[:8]}"
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")
    env.setdefault("MEDCREDIT_SECRET", "bench-secret-" + "b" * 40)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path.cwd()), env.get("PYTHONPATH")]))
    os.environ.update(env)
    try:
        print(
            "subscribers | got every event once, in order | API event -> client | worker event -> client | "
            "API memory per subscriber | told to reconnect at stop",
            flush=True,
        )
        for n in (int(c) for c in args.counts.split(",")):
            result = asyncio.run(_round(n, args, env))
            print(
                f"{result.subscribers:>5} | {result.complete}/{n} complete ({result.expected_events} events each), "
                f"{result.in_order}/{n} in id order | {_describe(result.api_latencies_ms)} | "
                f"{_describe(result.worker_latencies_ms)} | {result.rss_per_subscriber / 1024:.1f} KiB | "
                f"{result.told_to_reconnect}/{n}",
                flush=True,
            )
            print(
                f"      (the setCreditLimit round trip alone: {_describe(result.mutation_ms)}; "
                f"API CPU per event delivered to one subscriber, mutations included: "
                f"{result.cpu_per_delivery_us:.0f} µs)",
                flush=True,
            )
    finally:
        if db_process is not None:
            db_process.send_signal(signal.SIGTERM)
            db_process.wait(30)


if __name__ == "__main__":
    main()
