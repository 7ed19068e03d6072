"""Daily jobs run once a day even when Redis restarts (loses its keys) in between."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from infra.runtime import open_runtime
from workers.scheduler import JOBS, due

pytestmark = pytest.mark.integration


def test_a_redis_restart_does_not_rerun_the_daily_jobs(settings) -> None:  # type: ignore[no-untyped-def]
    daily = [job for job in JOBS if job.every_seconds >= 24 * 3600]
    flush = next(job for job in JOBS if job.actor_name == "flush_outbox")

    async def scenario() -> None:
        async with open_runtime(settings) as rt:
            today = datetime(2031, 5, 6, 3, 0, tzinfo=UTC)  # a day no other test has claimed
            await rt.redis.delete(f"medcredit:schedule:{flush.actor_name}")
            first = [await due(rt, job, today) for job in daily]
            assert first == [True] * len(daily)
            assert await due(rt, flush, today)
            # A restarted local Redis keeps no data: every scheduler key is gone (the
            # session's broker queues share this Redis database, so only ours are dropped).
            for key in await rt.redis.keys("medcredit:schedule:*"):
                await rt.redis.delete(key)
            later = today + timedelta(hours=5)
            assert [await due(rt, job, later) for job in daily] == [False] * len(daily)
            assert await due(rt, flush, later), "the 30-second job may run again"
            # Two schedulers racing for the next day: exactly one of them wins each job.
            tomorrow = today + timedelta(days=1)
            for job in daily:
                wins = await asyncio.gather(*(due(rt, job, tomorrow) for _ in range(5)))
                assert sorted(wins) == [False] * 4 + [True]

    asyncio.run(scenario())
