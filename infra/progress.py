"""Progress of long work: n/N, rate and time left, on a terminal bar or in log lines.

``Progress`` draws a one-line bar when its stream is a terminal and otherwise writes a
plain line every tenth of the way, so a CI log or a pipe is not flooded with redraws.
``SweepLog`` reports a sweep's progress and totals as structured log lines.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TextIO

from infra.metrics import SWEEP_ITEMS, SWEEP_RUNS

_BAR = 24


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return (
        f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
        if seconds >= 3600
        else (f"{seconds // 60}:{seconds % 60:02d}")
    )


class Progress:
    """Counts finished items out of ``total`` and shows how far, how fast and how long to go."""

    def __init__(
        self,
        total: int,
        label: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self._stream = stream or sys.stderr
        self._clock = clock
        self._started = clock()
        self._tty = self._stream.isatty()
        self._next_report = 0

    def line(self) -> str:
        """``label [#####-----] n/N  rate/s  ETA m:ss``."""
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        filled = round(_BAR * self.done / self.total) if self.total else _BAR
        bar = "#" * filled + "-" * (_BAR - filled)
        eta = f"ETA {_clock(left)}" if self.done < self.total else f"took {_clock(elapsed)}"
        return f"{self.label} [{bar}] {self.done}/{self.total}  {rate:.2f}/s  {eta}"

    def advance(self, note: str = "") -> None:
        self.done += 1
        text = self.line() + (f"  {note}" if note else "")
        if self._tty:
            end = "\n" if self.done >= self.total else ""
            self._stream.write("\r\x1b[2K" + text + end)
        elif self.done >= self._next_report or self.done >= self.total:
            self._stream.write(text + "\n")
            self._next_report = self.done + max(1, self.total // 10)
        self._stream.flush()


class SweepLog:
    """A sweep's progress (every tenth of the way) and totals as structured log lines."""

    def __init__(self, logger: logging.Logger, sweep: str, total: int) -> None:
        self._log = logger
        self.sweep = sweep
        self.total = total
        self.done = 0
        self._started = time.monotonic()
        self._step = max(1, total // 10)
        logger.info("%s started: %d to do", sweep, total, extra={"sweep": sweep, "total": total})

    def advance(self) -> None:
        self.done += 1
        SWEEP_ITEMS.labels(sweep=self.sweep).inc()
        if self.done % self._step == 0 and self.done < self.total:
            self._log.info(
                "%s %d/%d",
                self.sweep,
                self.done,
                self.total,
                extra={"sweep": self.sweep, "done": self.done, "total": self.total},
            )

    def finish(self, **totals: int) -> None:
        seconds = time.monotonic() - self._started
        SWEEP_RUNS.labels(sweep=self.sweep).inc()
        summary = ", ".join(f"{k} {v}" for k, v in totals.items())
        self._log.info(
            "%s finished: %d/%d in %.1f s%s",
            self.sweep,
            self.done,
            self.total,
            seconds,
            f" ({summary})" if summary else "",
            extra={"sweep": self.sweep, "done": self.done, "total": self.total, "seconds": round(seconds, 3), **totals},
        )
