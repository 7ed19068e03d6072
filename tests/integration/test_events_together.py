"""Events raised together are stored together: consecutive ids, raising order, two round trips."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from bson import ObjectId

from infra.events import events_together, record_event
from infra.runtime import open_runtime
from scoring.codes import Severity
from store.connection import open_database
from tests.support.commands import Commands

pytestmark = pytest.mark.integration


async def test_a_use_cases_events_are_written_in_one_go_and_in_order(settings: Any) -> None:
    writes = Commands()
    customer = ObjectId()
    async with open_runtime(settings) as base:
        client, db = open_database(settings.mongodb_url, settings.mongodb_db, event_listeners=[writes])
        rt = replace(base, client=client, db=db)
        try:
            async with events_together(rt.db, rt.redis):
                for n in range(3):
                    await record_event(rt.db, rt.redis, "SCORE_CHANGED", Severity.INFO, customer, {"n": n})
                async with events_together(rt.db, rt.redis):  # nested: the outer block writes
                    await record_event(rt.db, rt.redis, "LIMIT_CHANGED", Severity.LOW, customer, {"n": 3})
                assert await db.events.count_documents({"customer_id": customer}) == 0, "nothing before the end"
            stored = [e async for e in db.events.find({"customer_id": customer}).sort("_id", 1)]
            assert [e["payload"]["n"] for e in stored] == [0, 1, 2, 3]
            numbers = [int(e["_id"]) for e in stored]
            assert numbers == list(range(numbers[0], numbers[0] + 4)), "consecutive ids"
            assert writes.counts["insert events"] == 1 and writes.counts["findAndModify counters"] == 1

            failed = ObjectId()
            with pytest.raises(RuntimeError):
                async with events_together(rt.db, rt.redis):
                    await record_event(rt.db, rt.redis, "LIMIT_CHANGED", Severity.LOW, failed, {"done": True})
                    raise RuntimeError("the use case fails after its change")
            # What changed before the failure stays changed, so its event is kept too.
            assert await db.events.count_documents({"customer_id": failed}) == 1
        finally:
            client.close()
