"""The scheduler: sends periodic messages; the workers do the work.

Each job runs at most once per period across all scheduler replicas. Daily jobs are
claimed per calendar day (UTC) in the database (``store.schedule``), so a Redis
restart, which loses every key of the local Redis, does not run them again the same
day (a full sweep would delay queued documents). Short jobs (the outbox flush) claim
their slot with a Redis key ``SET NX`` whose expiry is the period: losing it only
means one extra flush.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from datetime import UTC, datetime

from infra.logs import configure_logging
from infra.runtime import Runtime, open_runtime
from infra.settings import load_settings
from store.schedule import claim_day

log = logging.getLogger("medcredit.scheduler")


@dataclass(frozen=True, slots=True)
class Job:
    actor_name: str
    every_seconds: int


DAY = 24 * 3600
JOBS = (
    Job("flush_outbox", 30),
    Job("expiry_sweep", DAY),
    Job("rescore_all", DAY),
    Job("pull_ratings", DAY),
)


async def due(rt: Runtime, job: Job, now: datetime) -> bool:
    """Whether this scheduler should send ``job`` now (and has claimed it)."""
    if job.every_seconds >= DAY:
        return await claim_day(rt.db, job.actor_name, now.date())
    key = f"medcredit:schedule:{job.actor_name}"
    return bool(await rt.redis.set(key, "1", nx=True, ex=job.every_seconds))


async def run(stop: asyncio.Event) -> None:
    from workers import actors

    async with open_runtime(load_settings()) as rt:
        while not stop.is_set():
            for job in JOBS:
                try:
                    if await due(rt, job, datetime.now(UTC)):
                        getattr(actors, job.actor_name).send()
                        log.info("sent %s", job.actor_name)
                except Exception as exc:  # noqa: BLE001 - a broker or database hiccup: try again next second
                    log.warning("could not schedule %s: %s", job.actor_name, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1)


def main() -> None:
    configure_logging()

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run(stop)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
