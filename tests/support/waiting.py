"""Waiting for something to happen elsewhere: poll the state that shows it, with a deadline.

A test never sleeps a fixed time in the hope that a worker, a server or a subscription
is ready by then; it waits for the state that shows it is. Where that state sends no
notification (a readiness probe, a server's count of subscriptions), the helpers here
poll it one short step at a time, and they are the only place in the tests that pauses
for that (``tests/unit/test_style_card.py`` holds every test to it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

# Short against the waits it serves (tens of milliseconds to seconds), long enough not to
# spin on the two cores the suite shares.
STEP_SECONDS = 0.02


def wait_until[T](
    condition: Callable[[], T],
    *,
    timeout: float,
    what: str,
    step: float = STEP_SECONDS,
    ignore: tuple[type[Exception], ...] = (),
) -> T:
    """Call ``condition`` until it returns something truthy, and return that.

    Parameters:
        condition: reads the observable state; an exception listed in ``ignore`` counts as "not yet".
        timeout: seconds to wait at most.
        what: what is awaited, for the failure message.
        step: seconds between two calls (keep it short; it is not a wait for the thing itself).

    Raises:
        AssertionError: ``timeout`` seconds passed without a truthy answer.
    """
    deadline = time.monotonic() + timeout
    while True:
        result: T | None
        try:
            result = condition()
        except ignore:
            result = None
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(step)  # the polling step: nothing notifies this state's change


async def wait_until_async[T](
    condition: Callable[[], T], *, timeout: float, what: str, step: float = STEP_SECONDS
) -> T:
    """``wait_until`` inside a coroutine: the event loop runs between two calls of ``condition``.

    Raises:
        AssertionError: ``timeout`` seconds passed without a truthy answer.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        await asyncio.sleep(step)  # the polling step: nothing notifies this state's change


def subscriptions_made(server: Any) -> int:
    """How many subscriptions the live server's event hub has registered since it started.

    It only ever grows, so a reading taken before opening subscriptions tells when the
    server has registered them, whatever other subscriptions end meanwhile.
    """
    return int(server.app.state.event_hub.stats["subscribed"])


async def wait_for_subscriptions(server: Any, count: int, *, since: int = 0, timeout: float = 10.0) -> None:
    """The live server's hub has registered ``count`` subscriptions more than ``since``.

    graphql-transport-ws does not answer a ``subscribe`` message, and the hub delivers only
    what it releases after a subscription joined: an event raised before that is not sent.
    Waiting here is how a test knows the event it raises next reaches its subscribers.

    Parameters:
        server: a ``tests.conftest.LiveServer``.
        since: a ``subscriptions_made`` reading taken before the subscriptions were opened.

    Raises:
        AssertionError: they were not all registered within ``timeout`` seconds.
    """
    try:
        await wait_until_async(lambda: subscriptions_made(server) >= since + count, timeout=timeout, what="")
    except AssertionError:
        made = subscriptions_made(server) - since
        raise AssertionError(f"{made} of {count} subscriptions registered in {timeout} s") from None
