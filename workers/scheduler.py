"""The scheduler: sends periodic messages; the workers do the work.

Each job runs at most once per period across all scheduler replicas: a Redis key
``SET NX`` with the period as its expiry claims the slot.
"""

from __future__ import annotations

import logging
import signal
import time
from dataclasses import dataclass

import redis

from api.logs import configure_logging
from api.settings import load_settings

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
)


def _due(client: redis.Redis, job: Job) -> bool:
    return bool(client.set(f"medcredit:schedule:{job.actor_name}", "1", nx=True, ex=job.every_seconds))


def main() -> None:
    configure_logging()
    from workers import actors

    settings = load_settings()
    client = redis.Redis.from_url(settings.redis_url)
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while running:
        for job in JOBS:
            try:
                if _due(client, job):
                    getattr(actors, job.actor_name).send()
                    log.info("sent %s", job.actor_name)
            except redis.RedisError as exc:
                log.warning("broker unavailable: %s", exc)
        time.sleep(1)


if __name__ == "__main__":
    main()
