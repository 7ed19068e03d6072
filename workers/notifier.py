"""The notifier process: sends e-mails and webhooks for the stored events.

It wakes on every event published on Redis (so a warning is mailed within
milliseconds) and at least once a second (retries come due, a publish was lost).
Run it with ``python -m workers.notifier``; ``medcredit run`` starts one. Several may
run: deliveries are claimed one at a time and planned idempotently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time

from infra.events import CHANNEL
from infra.logs import configure_logging
from infra.runtime import open_runtime
from infra.settings import load_settings
from services.notifications import Notifier

log = logging.getLogger("medcredit.notifier")
TICK_SECONDS = 1.0
# Retries are looked for this often (the shortest backoff is 2 s): the search costs more
# than sending a just-planned delivery, which is claimed by its id.
SWEEP_SECONDS = 2.0


async def run(stop: asyncio.Event) -> None:
    async with open_runtime(load_settings()) as rt:
        notifier = Notifier.for_runtime(rt)
        wake = asyncio.Event()
        listener = asyncio.create_task(_listen(rt.redis, wake, stop))
        last_sweep = 0.0
        try:
            while not stop.is_set():
                wake.clear()
                # Woken by an event: send its deliveries at once; retries are swept once a tick.
                sweep = time.monotonic() - last_sweep >= SWEEP_SECONDS
                if sweep:
                    last_sweep = time.monotonic()
                try:
                    await notifier.run_once(sweep=sweep)
                except Exception:  # noqa: BLE001 - a database hiccup: the next tick tries again
                    log.exception("notifier round failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), TICK_SECONDS)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            await notifier.aclose()


async def _listen(redis: object, wake: asyncio.Event, stop: asyncio.Event) -> None:
    """Set ``wake`` on every published event; reconnect quietly when Redis goes away."""
    while not stop.is_set():
        try:
            pubsub = redis.pubsub()  # type: ignore[attr-defined]
            await pubsub.subscribe(CHANNEL)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    wake.set()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the tick still runs; retry the subscription
            log.warning("event channel lost: %s", exc)
            await asyncio.sleep(1)


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
