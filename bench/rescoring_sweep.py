"""End-to-end rescoring sweep: ``python -m bench.rescoring_sweep [--customers 300] [--invoices 20]``.

Seeds customers with a ledger (bulk inserts, not measured), then times the daily sweep
as production runs it: ``rescore_all`` sent to Redis, a real Dramatiq worker rescoring
every customer through the database, until the queue is empty. Then it times the
phases of one rescoring on a sample, to show what dominates.

Without ``MONGODB_URL`` it uses a fresh embedded database in a temporary folder; with it
(e.g. a replica set) it uses a fresh database named ``medcredit_bench_<random>`` there:

    MONGODB_URL="mongodb://127.0.0.1:27017/?replicaSet=rs0" python -m bench.rescoring_sweep --customers 2000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bson import ObjectId

from bench.embedded import cpu_seconds, start_embedded, start_embedded_process


def _seed_documents(customers: int, invoices: int, rng: random.Random) -> tuple[list[dict], list[dict]]:
    today = datetime.now(UTC).date()
    people: list[dict[str, Any]] = []
    ledger: list[dict[str, Any]] = []
    for c in range(customers):
        oid = ObjectId()
        people.append(
            {
                "_id": oid,
                "code": f"B-{c:05d}",
                "legal_name": f"基准客户{c}",
                "type": "DISTRIBUTOR",
                "region": rng.choice(["江苏", "浙江", "广东", "北京"]),
                "attributes": {},
                "payment_term_days": 60,
                "credit_limit": Decimal("500000.00"),
                "blocked": False,
                "created_at": datetime.now(UTC) - timedelta(days=900),
            }
        )
        lateness = rng.choice([0, 5, 20, 60])
        for i in range(invoices):
            issued = today - timedelta(days=15 * i + rng.randint(0, 10))
            due = issued + timedelta(days=60)
            amount = Decimal(rng.randint(5_000, 80_000))
            settled = due + timedelta(days=lateness)
            paid = settled <= today
            ledger.append(
                {
                    "_id": f"{oid}:{i}",
                    "customer_id": oid,
                    "number": str(i),
                    "amount": amount,
                    "issued_on": datetime.combine(issued, datetime.min.time(), UTC),
                    "due_on": datetime.combine(due, datetime.min.time(), UTC),
                    "paid": amount if paid else Decimal("0.00"),
                    "open": not paid,
                    "settled_on": datetime.combine(settled, datetime.min.time(), UTC) if paid else None,
                }
            )
        people[-1]["open_receivables"] = sum((d["amount"] for d in ledger[-invoices:] if d["open"]), Decimal("0.00"))
    return people, ledger


async def _phases(sample: list[ObjectId]) -> dict[str, float]:
    """Median milliseconds of each phase of one rescoring, measured outside the worker."""
    from infra.runtime import open_runtime
    from infra.settings import load_settings
    from scoring.scorecard import assess
    from services import rescoring
    from store import certificates, ledger

    timings: dict[str, list[float]] = {
        "read ledger + certificates": [],
        "score (pure)": [],
        "whole rescoring": [],
    }
    today = datetime.now(UTC).date()
    async with open_runtime(load_settings()) as rt:
        for oid in sample:
            t0 = time.perf_counter()
            customer = await rt.db.customers.find_one({"_id": oid})
            assert customer is not None
            docs = await ledger.invoices_of(rt.db, oid)
            certs = [rescoring.to_certificate(d) for d in await certificates.certificates_of(rt.db, oid)]
            t1 = time.perf_counter()
            assess(rescoring.snapshot_of(customer, docs, certs, today, rt.policy), rt.policy, today)
            t2 = time.perf_counter()
            await rescoring.rescore_customer(rt, oid, today=today, reason="bench phases")
            t3 = time.perf_counter()
            timings["read ledger + certificates"].append((t1 - t0) * 1000)
            timings["score (pure)"].append((t2 - t1) * 1000)
            timings["whole rescoring"].append((t3 - t2) * 1000)
    return {name: statistics.median(values) for name, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--invoices", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8, help="worker threads (concurrent actors)")
    parser.add_argument(
        "--same-process",
        action="store_true",
        help="run the embedded database inside the benchmark's process (one interpreter lock for both)",
    )
    args = parser.parse_args()

    if os.environ.get("MONGODB_URL"):
        backend = "MONGODB_URL"
    elif args.same_process:
        backend = "embedded, in the benchmark's process"
        os.environ["MONGODB_URL"] = start_embedded()
    else:
        backend = "embedded, in its own process as deployed"
        os.environ["MONGODB_URL"] = start_embedded_process()
    os.environ["MONGODB_DB"] = f"medcredit_bench_{uuid.uuid4().hex[:8]}"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")
    os.environ.setdefault("MEDCREDIT_SECRET", "bench-secret-" + "b" * 40)

    import dramatiq
    from pymongo import MongoClient

    from store.connection import CODEC_OPTIONS
    from store.indexes import INDEXES
    from workers import actors

    people, ledger = _seed_documents(args.customers, args.invoices, random.Random(7))
    client: MongoClient[dict[str, Any]] = MongoClient(os.environ["MONGODB_URL"])
    db = client.get_database(os.environ["MONGODB_DB"], codec_options=CODEC_OPTIONS)
    # Indexes first, as in production: built over the seeded data instead, their backfill
    # landed in the timed sweep (the worker's runtime creates them on first use).
    for collection, models in INDEXES.items():
        db[collection].create_indexes(models)
    t = time.perf_counter()
    db.customers.insert_many(people)
    db.invoices.insert_many(ledger)
    seeded = time.perf_counter() - t
    print(f"backend: {backend}; seeded {len(people)} customers and {len(ledger)} invoices in {seeded:.1f} s")

    actors.broker.flush_all()
    worker = dramatiq.Worker(actors.broker, worker_threads=args.threads)
    worker.start()
    try:
        database_cpu, worker_cpu = cpu_seconds(), cpu_seconds(os.getpid())
        start = time.perf_counter()
        actors.rescore_all.send("bench sweep")
        actors.broker.join("default", timeout=3_600_000)
        worker.join()
        elapsed = time.perf_counter() - start
        database_cpu, worker_cpu = cpu_seconds() - database_cpu, cpu_seconds(os.getpid()) - worker_cpu
    finally:
        worker.stop()
    scored = db.customers.count_documents({"risk": {"$exists": True}})
    events = db.events.count_documents({})
    print(
        f"sweep: {scored}/{len(people)} customers rescored in {elapsed:.1f} s "
        f"= {scored / elapsed:.1f} customers/s ({events} events written)"
    )
    if database_cpu:
        print(
            f"CPU per customer: database {database_cpu / scored * 1000:.1f} ms, "
            f"worker {worker_cpu / scored * 1000:.1f} ms (the database's own process is the limit at "
            f"{1000 / (database_cpu / scored * 1000):.0f} customers/s per core)"
        )

    sample = [p["_id"] for p in people[: min(30, len(people))]]
    phases = asyncio.run(_phases(sample))
    whole = phases["whole rescoring"]
    print(f"one rescoring, median of {len(sample)} (ms):")
    for name, ms in phases.items():
        share = f" ({ms / whole:.0%} of the whole)" if name != "whole rescoring" else ""
        print(f"  {name:<28} {ms:8.2f}{share}")
    print("  the rest is writes: lock, score history, customer, events, warnings")
    client.drop_database(os.environ["MONGODB_DB"])


if __name__ == "__main__":
    main()
