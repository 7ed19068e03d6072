"""Order-gate latency: ``python -m bench.order_gate [--orders 50 200] [--customers 1 10]``.

Starts the embedded database and the API (uvicorn) as separate processes, as
``medcredit run`` does, then fires N concurrent ``submitOrder`` requests over real HTTP,
spread round-robin over C customers, and reports p50/p99/max latency, errors, and
whether each customer's approved total stayed within its limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from bench.rawhttp import post_json

LIMIT = Decimal("10000")
PRICE = "70.00"
SUBMIT = """mutation($i: SubmitOrderInput!) { submitOrder(input: $i) {
  order { status amount } errors { code } } }"""
CREATE = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


async def _round(url: str, token: str, n: int, customers: int, tag: str) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}"}
    endpoint = f"{url}/graphql"
    cids = []
    for c in range(customers):
        i = {"code": f"B-{tag}-{c}", "legalName": "基准医疗器械有限公司", "type": "DISTRIBUTOR"}
        i["creditLimit"] = str(LIMIT)
        _, created = await post_json(endpoint, {"query": CREATE, "variables": {"i": i}}, headers)
        cids.append(created["data"]["createCustomer"]["customer"]["id"])

    async def one(k: int) -> tuple[str, float, Any]:
        cid = cids[k % customers]
        line = {"sku": "S", "deviceClass": "I", "category": "01", "quantity": 1, "unitPrice": PRICE}
        variables = {"i": {"customerId": cid, "externalRef": f"{tag}-{k}", "lines": [line]}}
        start = time.perf_counter()
        status, body = await post_json(endpoint, {"query": SUBMIT, "variables": variables}, headers)
        elapsed = time.perf_counter() - start
        return cid, elapsed, body if status == 200 else None

    results = await asyncio.gather(*(one(k) for k in range(n)))
    latencies = sorted(r[1] for r in results)
    errors = sum(1 for _, _, b in results if b is None or "errors" in b or b["data"]["submitOrder"]["errors"])
    approved: dict[str, Decimal] = {}
    for cid, _, body in results:
        order = body and body.get("data", {}).get("submitOrder", {}).get("order")
        if order and order["status"] == "APPROVED":
            approved[cid] = approved.get(cid, Decimal(0)) + Decimal(order["amount"])
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[max(0, int(0.99 * n) - 1)],
        "max": latencies[-1],
        "errors": errors,
        "within_limit": all(v <= LIMIT for v in approved.values()),
        "approved": sum(approved.values(), Decimal(0)),
    }


@contextmanager
def running_stack() -> Iterator[tuple[str, str]]:
    """The embedded database and the API (uvicorn) as separate processes; yields (url, ADMIN token).

    While it runs, ``MONGODB_URL`` and ``MONGODB_DB`` in this process name its database,
    for benchmarks that seed or read it directly.
    """
    data_dir = tempfile.mkdtemp(prefix="medcredit-bench-")
    db_port, api_port = _free_port(), _free_port()
    env = dict(
        os.environ,
        MEDCREDIT_DATA_DIR=data_dir,
        MONGODB_URL=f"mongodb://127.0.0.1:{db_port}/?directConnection=true",
        MONGODB_DB=f"bench_{uuid.uuid4().hex[:6]}",
        MEDCREDIT_RATE_LIMIT_BURST="100000",
    )
    env.pop("MEDCREDIT_SECRET", None)
    python = sys.executable
    db = subprocess.Popen([python, "-m", "api.cli", "db", "--port", str(db_port)], env=env)
    api = None
    try:
        _wait(db_port)
        api = subprocess.Popen(
            [python, "-m", "uvicorn", "api.asgi:app", "--port", str(api_port), "--log-level", "warning"], env=env
        )
        _wait(api_port)
        token = subprocess.run(
            [python, "-m", "api.cli", "token", "--subject", "bench", "--role", "ADMIN"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        os.environ["MONGODB_URL"], os.environ["MONGODB_DB"] = env["MONGODB_URL"], env["MONGODB_DB"]
        yield f"http://127.0.0.1:{api_port}", token
    finally:
        for proc in (api, db):
            if proc is not None:
                proc.terminate()
                proc.wait(15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--customers", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args()
    with running_stack() as (url, token):
        asyncio.run(_round(url, token, 20, 1, "warm"))
        print("orders customers   p50 s   p99 s   max s  errors  approved-within-limit")
        for n in args.orders:
            for c in args.customers:
                r = asyncio.run(_round(url, token, n, c, f"n{n}c{c}-{uuid.uuid4().hex[:4]}"))
                times = f"{r['p50']:7.3f} {r['p99']:7.3f} {r['max']:7.3f}"
                print(f"{n:6d} {c:9d} {times} {r['errors']:7d}  {r['within_limit']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
