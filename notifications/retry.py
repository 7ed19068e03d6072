"""When to try a failed delivery again: exponential backoff with a cap and a last attempt."""

from __future__ import annotations

from datetime import timedelta

MAX_DELAY = timedelta(hours=1)


def next_delay(attempts: int, base_seconds: float) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2x, 4x, ... at most an hour."""
    return min(timedelta(seconds=base_seconds * 2 ** max(0, attempts - 1)), MAX_DELAY)


def gives_up(attempts: int, max_attempts: int) -> bool:
    """Whether ``attempts`` failed attempts are the last the policy allows."""
    return attempts >= max_attempts
