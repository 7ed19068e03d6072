"""Process-wide resources (database, Redis), opened once at start-up and closed at exit.

The API opens them in the Starlette lifespan; the worker and scheduler open the same
``Runtime`` so every process uses one code path to the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from motor.motor_asyncio import AsyncIOMotorClient

from infra.embedded_db import EmbeddedMongo
from infra.queue import TaskQueue
from infra.registry import HttpRegistry, ImportedRegistry, Registries, RegistryLookup
from infra.settings import Settings
from scoring.policy import Policy, load_policy
from store.audit import AuditWriter
from store.connection import Database, open_database
from store.indexes import ensure_indexes
from verification.rules import ConsistencyRules, load_rules


@dataclass
class Runtime:
    settings: Settings
    client: AsyncIOMotorClient
    db: Database
    redis: aioredis.Redis
    queue: TaskQueue
    policy: Policy
    rules: ConsistencyRules
    registry: RegistryLookup
    # Audit rows from concurrent requests, stored together (see store.audit).
    audit: AuditWriter = field(init=False)
    # This process's order queues, one per customer being decided (services.gate).
    order_queues: dict[Any, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.audit = AuditWriter(self.db)

    async def ping_database(self) -> bool:
        try:
            await self.client.admin.command("ping")
        except Exception:  # noqa: BLE001 - readiness reports any failure as "not ready"
            return False
        return True

    async def ping_broker(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except Exception:  # noqa: BLE001 - readiness reports any failure as "not ready"
            return False


def registries(settings: Settings, db: Database) -> RegistryLookup:
    """The imported lists, then the outside service when one is configured."""
    found: list[RegistryLookup] = [ImportedRegistry(db)]
    if settings.registry_url:
        found.append(
            HttpRegistry(settings.registry_url, settings.registry_key, timeout=settings.registry_timeout_seconds)
        )
    return Registries(found)


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Open the database (starting the embedded one when no URL is set) and Redis."""
    embedded: EmbeddedMongo | None = None
    url = settings.mongodb_url
    if url is None:
        embedded = EmbeddedMongo(settings.data_dir / "db")
        url = await embedded.start()
    client, db = open_database(url, settings.mongodb_db)
    redis: Any = aioredis.from_url(settings.redis_url)
    queue = TaskQueue(settings.redis_url)
    try:
        await ensure_indexes(db)
        yield Runtime(
            settings=settings,
            client=client,
            db=db,
            redis=redis,
            queue=queue,
            policy=load_policy(settings.policy_path),
            rules=load_rules(settings.verification_rules_path),
            registry=registries(settings, db),
        )
    finally:
        queue.close()
        await redis.aclose()
        client.close()
        if embedded is not None:
            await embedded.stop()
