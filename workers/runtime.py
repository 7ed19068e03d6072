"""The worker process's database and Redis handles, opened once on the actors' loop."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from infra.runtime import Runtime, open_runtime
from infra.settings import load_settings

_runtime: Runtime | None = None
_stack: AsyncExitStack | None = None
_lock = asyncio.Lock()


async def get_runtime() -> Runtime:
    """Return this process's runtime, opening it on first use.

    Actors all run on the AsyncIO middleware's single event loop, so one Motor client
    per worker process is shared by every actor call.
    """
    global _runtime, _stack
    async with _lock:
        if _runtime is None:
            settings = load_settings()
            if settings.mongodb_url is None:
                raise RuntimeError("workers need MONGODB_URL: start them with 'medcredit run'")
            _stack = AsyncExitStack()
            _runtime = await _stack.enter_async_context(open_runtime(settings))
        return _runtime
