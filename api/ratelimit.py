"""Per-subject request rate limit: a token bucket per token subject, in this process.

Each subject may send ``burst`` requests at once and ``rate`` per second after that;
a request over the limit gets HTTP 429 with ``Retry-After`` (whole seconds). The
buckets live in the API process, so with several API processes each enforces its own
share; what it protects is this process's event loop and the database behind it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

# Idle buckets are dropped after this long, so the table does not grow without end.
_IDLE_SECONDS = 600.0


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, _Bucket] = {}
        self._swept = time.monotonic()

    def acquire(self, subject: str, now: float | None = None) -> float:
        """Take one request from ``subject``'s bucket; returns 0, or the seconds to wait."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(subject)
        if bucket is None:
            bucket = self._buckets[subject] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if now - self._swept > _IDLE_SECONDS:
            self._sweep(now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate if self.rate > 0 else math.inf

    def _sweep(self, now: float) -> None:
        self._swept = now
        for subject in [s for s, b in self._buckets.items() if now - b.at > _IDLE_SECONDS]:
            del self._buckets[subject]
