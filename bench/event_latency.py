"""Live-event latency: ``python -m bench.event_latency [--producers 2] [--events 200]``.

Runs the real app under uvicorn, subscribes to ``riskEvents`` over a real WebSocket
(graphql-transport-ws), and has separate producer *processes* (as workers and the
scheduler are) raise events through ``infra.events.record_event`` at a steady pace.
Reports, per event, the time from being raised (its ``occurredAt``) to arriving at the
client, and checks the feed: every id once, strictly increasing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import threading
import time
import uuid
from datetime import datetime

from bench.embedded import start_embedded


def _produce(count: int, pause: float) -> None:
    """One producer process: ``count`` events, one every ``pause`` seconds."""
    from bson import ObjectId

    from infra.events import record_event
    from infra.runtime import open_runtime
    from infra.settings import load_settings
    from scoring.codes import Severity

    async def run() -> None:
        async with open_runtime(load_settings()) as rt:
            customer = ObjectId()
            for i in range(count):
                await record_event(rt.db, rt.redis, "BENCH", Severity.INFO, customer, {"n": i})
                await asyncio.sleep(pause)

    asyncio.run(run())


async def _subscribe_and_collect(url: str, token: str, total: int, ready: threading.Event) -> list[tuple[str, float]]:
    from websockets.asyncio.client import connect

    query = "subscription { riskEvents { id occurredAt } }"
    received: list[tuple[str, float]] = []
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        await ws.recv()
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        await asyncio.sleep(0.3)  # the server has subscribed to Redis by now
        ready.set()
        while len(received) < total:
            message = json.loads(await asyncio.wait_for(ws.recv(), 30))
            event = message["payload"]["data"]["riskEvents"]
            latency = time.time() - datetime.fromisoformat(event["occurredAt"]).timestamp()
            received.append((event["id"], latency))
    return received


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--producers", type=int, default=2, help="producer processes")
    parser.add_argument("--events", type=int, default=200, help="events per producer")
    parser.add_argument("--pause", type=float, default=0.01, help="seconds between a producer's events")
    args = parser.parse_args()

    os.environ["MONGODB_URL"] = os.environ.get("MONGODB_URL") or start_embedded()
    os.environ["MONGODB_DB"] = f"medcredit_bench_{uuid.uuid4().hex[:8]}"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")
    os.environ.setdefault("MEDCREDIT_SECRET", "bench-secret-" + "b" * 40)

    import uvicorn

    from api.app import create_app
    from api.auth import mint_token
    from common.roles import Role
    from infra.settings import load_settings

    settings = load_settings()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)

    total = args.producers * args.events
    ready = threading.Event()
    token = mint_token(settings.secret_key, "bench", [Role.VIEWER], 1)
    collected: list[list[tuple[str, float]]] = []
    subscriber = threading.Thread(
        target=lambda: collected.append(
            asyncio.run(_subscribe_and_collect(f"ws://127.0.0.1:{port}/graphql", token, total, ready))
        )
    )
    subscriber.start()
    ready.wait(30)
    context = multiprocessing.get_context("spawn")
    producers = [context.Process(target=_produce, args=(args.events, args.pause)) for _ in range(args.producers)]
    started = time.perf_counter()
    for process in producers:
        process.start()
    for process in producers:
        process.join()
    subscriber.join(120)
    elapsed = time.perf_counter() - started
    server.should_exit = True

    (received,) = collected
    ids = [event_id for event_id, _ in received]
    latencies = [latency * 1000 for _, latency in received]
    in_order = all(a < b for a, b in zip(ids, ids[1:], strict=False))
    print(
        f"{args.producers} producer processes x {args.events} events: {len(received)}/{total} delivered "
        f"in {elapsed:.1f} s ({len(received) / elapsed:.0f} events/s); ids once each and increasing: {in_order}"
    )
    print(
        f"latency raise -> client (ms): median {statistics.median(latencies):.1f}, "
        f"p90 {_percentile(latencies, 0.9):.1f}, p99 {_percentile(latencies, 0.99):.1f}, max {max(latencies):.1f}"
    )


if __name__ == "__main__":
    main()
