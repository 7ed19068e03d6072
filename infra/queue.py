"""Sending work to the Dramatiq workers by actor name, with an outbox behind it.

The API does not import the workers: it enqueues messages by actor name on the same
Redis broker. Every message is first written to the ``outbox`` collection by the
caller's service; ``send`` then tries the broker, and the scheduler re-sends whatever
is still pending, so an upload made while Redis is down is queued later, not lost.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bson import ObjectId
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker

from store import outbox
from store.connection import Database

log = logging.getLogger("medcredit.queue")
QUEUE = "default"


class TaskQueue:
    def __init__(self, redis_url: str) -> None:
        # The broker connects lazily, on the first enqueue.
        self._broker = RedisBroker(url=redis_url)
        self._broker.declare_queue(QUEUE)

    def _enqueue(self, actor_name: str, args: tuple[Any, ...]) -> None:
        message: Message[Any] = Message(queue_name=QUEUE, actor_name=actor_name, args=args, kwargs={}, options={})
        self._broker.enqueue(message)

    async def send(self, db: Database, actor_name: str, *args: Any) -> bool:
        """Record the message in the outbox, then try to hand it to the broker.

        Returns True when the broker took it; False leaves it for ``flush_outbox``.
        """
        entry_id = ObjectId()
        await outbox.add_message(db, entry_id, actor_name, list(args))
        return await self._deliver(db, entry_id, actor_name, tuple(args))

    async def _deliver(self, db: Database, entry_id: ObjectId, actor_name: str, args: tuple[Any, ...]) -> bool:
        try:
            await asyncio.to_thread(self._enqueue, actor_name, args)
        except Exception as exc:  # noqa: BLE001 - any broker failure leaves the entry pending
            log.warning("broker unavailable, %s kept in the outbox: %s", actor_name, exc)
            return False
        await outbox.mark_sent(db, entry_id)
        return True

    async def flush_outbox(self, db: Database, limit: int = 500) -> int:
        """Re-send pending messages; returns how many the broker accepted."""
        sent = 0
        async for entry in outbox.pending(db, limit):
            if await self._deliver(db, entry["_id"], entry["actor"], tuple(entry["args"])):
                sent += 1
        return sent

    def close(self) -> None:
        self._broker.close()
