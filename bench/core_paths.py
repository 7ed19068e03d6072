"""Core read and write paths over GraphQL: ``python -m bench.core_paths [--customers 150]``.

Starts the embedded database and the API as separate processes (as ``medcredit run``
does), creates customers through ``createCustomer`` (timing each), gives each a ledger
of 20 invoices, two certificates and a warning (bulk inserts, then the ledger's own
balance refresh, not timed), then reports
medians of:

- ``customer(id)`` over GraphQL against the same lookup made directly with Motor;
- a page of 10 and a page of 100 customers with ``credit``, ``certificates``, ``risk``
  and ``warnings`` (the per-customer fields a list screen shows);
- ``createCustomer``.

Requests go through ``bench.rawhttp`` (one connection each, as a browser's first
request), so the GraphQL figures include HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bson import ObjectId

from bench.order_gate import running_stack
from bench.rawhttp import post_json

CREATE = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } errors { code } } }"
ONE = "query($id: ID!) { customer(id: $id) { id legalName type region } }"
PAGE = """query($n: Int!) { customers(first: $n) { edges { node {
  id legalName credit { limit exposure available aging { over90 } }
  certificates { id type number validUntil } risk { score grade } warnings { id kind severity }
} } } }"""


async def _median_ms(action: Callable[[], Awaitable[Any]], n: int) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _ledger(oid: ObjectId, k: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    now = datetime.now(UTC)
    invoices = [
        {
            "customer_id": oid,
            "number": f"INV-{oid}-{i}",
            "amount": Decimal("1000.00"),
            "paid": Decimal("0.00") if i % 3 else Decimal("1000.00"),
            "open": bool(i % 3),
            "issued_on": now - timedelta(days=15 * i + 5),
            "due_on": now - timedelta(days=15 * i - 55),
            "settled_on": None if i % 3 else now - timedelta(days=15 * i - 50),
        }
        for i in range(20)
    ]
    certificates = [
        {
            "customer_id": oid,
            "key": f"{oid}:{kind}",
            "type": kind,
            "number": f"沪食药监械经营许{2020 + k % 5}{k:04d}号" if kind == "operation_license" else f"B-{k}",
            "valid_until": now + timedelta(days=400),
            "scope_categories": ["6821"],
            "device_classes": ["II", "III"],
        }
        for kind in ("operation_license", "business_license")
    ]
    warning = {
        "customer_id": oid,
        "kind": "OVERDUE",
        "severity": "MEDIUM",
        "level": 1,
        "raised_at": now,
        "resolved_at": None,
        "active_key": f"{oid}:OVERDUE",
        "message": "bench",
        "notify_roles": ["CREDIT_MANAGER"],
    }
    return invoices, certificates, warning


async def _run(url: str, token: str, customers: int) -> dict[str, float]:
    import os

    from services.ledger import refresh_balances
    from store.connection import open_database

    endpoint = f"{url}/graphql"
    headers = {"Authorization": f"Bearer {token}"}
    tag = uuid.uuid4().hex[:6]
    create_ms, ids = [], []
    for k in range(customers):
        fields = {"code": f"CP-{tag}-{k}", "legalName": f"核心路径医疗器械有限公司{k}", "type": "DISTRIBUTOR"}
        start = time.perf_counter()
        _, body = await post_json(endpoint, {"query": CREATE, "variables": {"i": fields}}, headers)
        create_ms.append((time.perf_counter() - start) * 1000)
        ids.append(body["data"]["createCustomer"]["customer"]["id"])

    client, db = open_database(os.environ["MONGODB_URL"], os.environ["MONGODB_DB"])
    try:
        oids = [ObjectId(public.split("_", 1)[1]) for public in ids]
        invoices, certificates, warnings = [], [], []
        for k, oid in enumerate(oids):
            i, c, w = _ledger(oid, k)
            invoices += i
            certificates += c
            warnings.append(w)
        await db.invoices.insert_many(invoices)
        await db.certificates.insert_many(certificates)
        await db.warnings.insert_many(warnings)
        # What the ledger does after each change (not timed): balances and open items on the customer.
        for oid in oids:
            await refresh_balances(db, oid)

        async def graphql(query: str, variables: dict[str, Any]) -> None:
            status, body = await post_json(endpoint, {"query": query, "variables": variables}, headers)
            assert status == 200 and "errors" not in body, body

        motor_one = await _median_ms(lambda: db.customers.find_one({"_id": oids[7]}), 50)
        graphql_one = await _median_ms(lambda: graphql(ONE, {"id": ids[7]}), 50)
        page10 = await _median_ms(lambda: graphql(PAGE, {"n": 10}), 7)
        page100 = await _median_ms(lambda: graphql(PAGE, {"n": 100}), 7)
    finally:
        client.close()
    return {
        "motor": motor_one,
        "graphql": graphql_one,
        "page10": page10,
        "page100": page100,
        "create": statistics.median(create_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=150)
    args = parser.parse_args()
    with running_stack() as (url, token):
        r = asyncio.run(_run(url, token, args.customers))
    print(f"customer(id): GraphQL {r['graphql']:.1f} ms, Motor {r['motor']:.1f} ms = {r['graphql'] / r['motor']:.1f}x")
    print(
        f"page with credit, certificates, risk, warnings: 100 rows {r['page100']:.0f} ms, "
        f"10 rows {r['page10']:.0f} ms = {r['page100'] / r['page10']:.1f}x"
    )
    print(f"createCustomer: median {r['create']:.1f} ms")


if __name__ == "__main__":
    main()
