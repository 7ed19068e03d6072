"""The Dramatiq broker: Redis, with the AsyncIO middleware for actors that use Motor."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware.asyncio import AsyncIO

from infra.settings import load_settings
from workers.observability import TaskObservability

# A worker that dies (kill -9, out of memory) leaves its messages unacknowledged. The
# broker's maintenance hands the messages of a worker silent for HEARTBEAT_TIMEOUT_MS
# back to the queue; running maintenance on a fifth of commands (instead of dramatiq's
# 0.1%) makes that happen within seconds of the timeout, so a document whose worker
# died is picked up again well within a minute.
HEARTBEAT_TIMEOUT_MS = 20_000
MAINTENANCE_CHANCE = 200_000  # out of dramatiq's scale of 1,000,000 commands


def setup_broker(redis_url: str | None = None) -> RedisBroker:
    """Create the Redis broker and make it the default for actors declared after this."""
    broker = RedisBroker(
        url=redis_url or load_settings().redis_url,
        heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
        maintenance_chance=MAINTENANCE_CHANCE,
    )
    broker.add_middleware(AsyncIO())
    broker.add_middleware(TaskObservability())
    dramatiq.set_broker(broker)
    return broker
