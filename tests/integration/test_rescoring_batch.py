"""The sweep's rescoring in chunks (``services.rescoring.rescore_many``) on the real embedded database.

A chunk must leave every customer exactly as a rescoring of its own would, cost about
the round trips of one rescoring, and leave out (not wait for, not overwrite) a
customer whose credit lock someone else holds.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from bson import ObjectId

from infra.runtime import open_runtime
from services.rescoring import rescore_customer, rescore_many
from store.connection import open_database
from tests.support.commands import Commands

pytestmark = pytest.mark.integration
TODAY = datetime.now(UTC).date()


def _day(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC)


def _customers_with_ledgers(tag: str, n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``n`` distributors; every other one has an invoice 75 days overdue (warnings, a task)."""
    customers, invoices = [], []
    for i in range(n):
        oid = ObjectId()
        customers.append(
            {
                "_id": oid,
                "code": f"RB-{tag}-{i}",
                "legal_name": f"批量评分{tag}客户{i}",
                "type": "DISTRIBUTOR",
                "attributes": {},
                "payment_term_days": 60,
                "credit_limit": Decimal("300000.00"),
                "blocked": False,
                "created_at": _day(800),
            }
        )
        for k in range(6):
            overdue = i % 2 == 0 and k == 0
            issued = 135 if overdue else 30 * k + 20
            invoices.append(
                {
                    "_id": f"{oid}:{k}",
                    "customer_id": oid,
                    "number": f"{tag}-{i}-{k}",
                    "amount": Decimal("40000.00"),
                    "issued_on": _day(issued),
                    "due_on": _day(issued - 60),
                    "paid": Decimal("0.00") if overdue or issued < 60 else Decimal("40000.00"),
                    "open": overdue or issued < 60,
                    "settled_on": None if overdue or issued < 60 else _day(issued - 60),
                }
            )
    return customers, invoices


async def test_a_chunk_rescores_as_one_by_one_would_in_a_handful_of_round_trips(settings: Any) -> None:
    commands = Commands()
    tag = uuid.uuid4().hex[:8]
    customers, invoices = _customers_with_ledgers(tag, 10)
    ids = [c["_id"] for c in customers]
    async with open_runtime(settings) as base:
        client, db = open_database(settings.mongodb_url, settings.mongodb_db, event_listeners=[commands])
        rt = replace(base, client=client, db=db)
        try:
            await db.customers.insert_many(customers)
            await db.invoices.insert_many(invoices)
            # Someone else (an order being booked, say) holds the last customer's lock.
            busy = ids[-1]
            held = {"owner": ObjectId(), "expires": datetime.now(UTC) + timedelta(seconds=30)}
            await db.customers.update_one({"_id": busy}, {"$set": {"credit_lock": held}})

            commands.counts.clear()
            left_out = await rescore_many(rt, ids, today=TODAY, reason="daily sweep")
            sent = sum(commands.counts.values())

            assert left_out == [busy]
            after = {c["_id"]: c async for c in db.customers.find({"_id": {"$in": ids}})}
            assert "risk" not in after[busy] and after[busy]["credit_lock"]["owner"] == held["owner"], "left alone"
            for oid in ids[:-1]:
                assert after[oid]["risk"]["grade"] and "credit_lock" not in after[oid], "scored, lock let go"
            # Lock (2), seven reads, and a write per collection touched: no read or write per customer.
            assert sent <= 20, commands.counts
            assert commands.counts["update customers"] == 2, "take the locks; write and let go in one"
            assert commands.counts["findAndModify counters"] == 1 and commands.counts["insert events"] == 1
            assert await rescore_many(rt, [busy], today=TODAY, reason="daily sweep") == [busy], "all busy: all left out"
            overdue = [oid for n, oid in enumerate(ids[:-1]) if n % 2 == 0]
            warned = {w["customer_id"] async for w in db.warnings.find({"customer_id": {"$in": ids}})}
            assert warned == set(overdue), "the overdue ones, and only they, are warned"
            assert await db.collection_tasks.count_documents({"customer_id": {"$in": overdue}}) == len(overdue)

            # The same customers rescored one by one on the same day find nothing to change:
            # the chunk wrote what each rescoring of its own decides.
            before_events = await db.events.count_documents({"customer_id": {"$in": ids[:-1]}})
            for oid in ids[:-1]:
                commands.counts.clear()
                alone = await rescore_customer(rt, oid, today=TODAY, reason="daily sweep")
                # The lock, seven reads, the score history, the customer with the lock's release.
                assert sum(commands.counts.values()) == 10, commands.counts
                assert alone is not None
                assert (alone.score, alone.grade.value) == (after[oid]["risk"]["score"], after[oid]["risk"]["grade"])
            assert await db.events.count_documents({"customer_id": {"$in": ids[:-1]}}) == before_events
            assert await db.collection_tasks.count_documents({"customer_id": {"$in": overdue}}) == len(overdue)
        finally:
            # The other holder is done: later sweeps in this session must not wait on it.
            await db.customers.update_many({"_id": {"$in": ids}}, {"$unset": {"credit_lock": ""}})
            client.close()


async def test_a_lock_that_expired_and_passed_on_is_not_written_over(settings: Any) -> None:
    """A holder whose lease ran out must not write the customer over the new holder's work."""
    from store.batch import WriteBatch
    from store.locks import credit_locks, released_missed, stage_release

    tag = uuid.uuid4().hex[:8]
    customers, _ = _customers_with_ledgers(tag, 1)
    oid = customers[0]["_id"]
    async with open_runtime(settings) as rt:
        await rt.db.customers.insert_one(customers[0])
        async with credit_locks(rt.db, [oid]) as locked:
            assert [c["_id"] for c in locked] == [oid]
            # The lease ran out and another holder took the lock meanwhile.
            other = {"owner": ObjectId(), "expires": datetime.now(UTC) + timedelta(seconds=30)}
            await rt.db.customers.update_one({"_id": oid}, {"$set": {"credit_lock": other}})
            writes = WriteBatch()
            stage_release(writes, locked[0], {"legal_name": "stale"})
            assert released_missed(await writes.flush(rt.db)) == 1
        stored = await rt.db.customers.find_one({"_id": oid})
        await rt.db.customers.update_one({"_id": oid}, {"$unset": {"credit_lock": ""}})
        assert (
            stored is not None and stored["legal_name"] != "stale" and stored["credit_lock"]["owner"] == other["owner"]
        )
