"""One JSON log line and one duration sample per worker task.

A Dramatiq middleware, so every actor is covered without touching it: the line says
which actor ran, on which message, for how long, and how it ended (a failure that
will be retried is a warning with the error, not a traceback per attempt).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware, SkipMessage

from infra.metrics import TASK_DURATION, TASKS

log = logging.getLogger("medcredit.worker")


class TaskObservability(Middleware):
    def __init__(self) -> None:
        # Start times by message id (worker threads each handle their own message).
        self._started: dict[str, float] = {}

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._started[message.message_id] = time.perf_counter()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        self._finish(message, "failed" if exception is not None else "ok", exception)

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._finish(message, "skipped", None)

    def _finish(self, message: MessageProxy, outcome: str, exception: BaseException | None) -> None:
        started = self._started.pop(message.message_id, None)
        duration = time.perf_counter() - started if started is not None else 0.0
        actor = message.actor_name
        TASKS.labels(actor=actor, outcome=outcome).inc()
        TASK_DURATION.labels(actor=actor).observe(duration)
        fields = {
            "actor": actor,
            "message_id": message.message_id,
            "outcome": outcome,
            "duration_ms": round(duration * 1000, 1),
            "retries": message.options.get("retries", 0),
        }
        if exception is not None and not isinstance(exception, SkipMessage):
            fields["error"] = f"{type(exception).__name__}: {exception}"
            log.warning("task %s failed", actor, extra=fields)
        else:
            log.info("task %s %s", actor, outcome, extra=fields)
