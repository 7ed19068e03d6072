"""The Dramatiq broker: Redis, with the AsyncIO middleware for actors that use Motor."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware.asyncio import AsyncIO

from api.settings import load_settings
from workers.observability import TaskObservability


def setup_broker(redis_url: str | None = None) -> RedisBroker:
    """Create the Redis broker and make it the default for actors declared after this."""
    broker = RedisBroker(url=redis_url or load_settings().redis_url)
    broker.add_middleware(AsyncIO())
    broker.add_middleware(TaskObservability())
    dramatiq.set_broker(broker)
    return broker
