"""Cost of refusing an over-limit query: ``python -m bench.query_cost [--n 20]``.

Against the API and embedded database in their own processes (as ``bench.order_gate``
starts them): the time to answer 200 aliases of ``riskReport`` (refused by the alias
limit before anything runs), next to one real ``riskReport`` and a trivial query.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import httpx

from bench.order_gate import running_stack

OVER_LIMIT = "{ " + " ".join(f"r{i}: riskReport {{ totalExposure }}" for i in range(200)) + " }"
ONE_REPORT = "{ riskReport { totalExposure byRegion { key exposure } byGrade { grade customers } } }"
TRIVIAL = "{ warnings(first: 1) { id } }"


def _median_ms(client: httpx.Client, query: str, n: int) -> tuple[float, str]:
    times, outcome = [], ""
    for _ in range(n):
        start = time.perf_counter()
        body = client.post("/graphql", json={"query": query}).json()
        times.append((time.perf_counter() - start) * 1000)
        outcome = "refused: " + body["errors"][0]["message"][:60] if body.get("errors") else "answered"
    return statistics.median(times), outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    with (
        running_stack() as (url, token),
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client,
    ):
        for i in range(30):  # some customers, so the report aggregates something
            customer = {
                "code": f"Q-{i}",
                "legalName": "查询医疗器械有限公司",
                "type": "HOSPITAL",
                "region": f"R{i % 5}",
            }
            client.post(
                "/graphql",
                json={
                    "query": "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { errors { code } } }",
                    "variables": {"i": customer},
                },
            )
        print(f"{'request':40s} {'median ms':>10s}  outcome")
        for name, query in (
            ("200 aliases of riskReport", OVER_LIMIT),
            ("one riskReport", ONE_REPORT),
            ("trivial query", TRIVIAL),
        ):
            ms, outcome = _median_ms(client, query, args.n)
            print(f"{name:40s} {ms:10.1f}  {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
