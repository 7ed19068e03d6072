"""Prometheus metrics: what the API and the workers count, and the ``/metrics`` page.

Counters and histograms live in prometheus_client's default registry. Under
``medcredit run`` the API, worker and scheduler are separate processes, so the
supervisor sets ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` merges every process's
samples (worker task durations included). Levels that are cheaper to read than to
track (documents by status, queue depth, outbox backlog) are read at scrape time.
"""

from __future__ import annotations

import os
import re
import threading
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response

from store.documents import documents_by_status
from verification.types import DocumentStatus

if TYPE_CHECKING:
    from infra.runtime import Runtime

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

GRAPHQL_REQUESTS = Counter(
    "medcredit_graphql_requests_total",
    "GraphQL operations over HTTP by operation name and outcome "
    "(ok, user_error, forbidden, unauthenticated, internal_error).",
    ["operation", "outcome"],
)
GRAPHQL_LATENCY = Histogram(
    "medcredit_graphql_request_duration_seconds",
    "Time to execute a GraphQL operation over HTTP.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
HTTP_LATENCY = Histogram(
    "medcredit_http_request_duration_seconds",
    "HTTP requests by route, method and status.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
TASKS = Counter(
    "medcredit_worker_tasks_total",
    "Worker tasks by actor and outcome (ok, failed, skipped).",
    ["actor", "outcome"],
)
TASK_DURATION = Histogram(
    "medcredit_worker_task_duration_seconds",
    "Worker task durations by actor.",
    ["actor"],
    buckets=TASK_BUCKETS,
)

SWEEP_ITEMS = Counter("medcredit_sweep_items_total", "Items a scheduled sweep has handled.", ["sweep"])
SWEEP_RUNS = Counter("medcredit_sweep_runs_total", "Scheduled sweeps run to the end.", ["sweep"])

# Operation names come from clients: keep the label set bounded.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_OPERATIONS = 200
_operations: set[str] = set()
_operations_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    """A bounded, well-formed label for a client's operation name."""
    if not name:
        return "anonymous"
    if not _NAME.match(name):
        return "invalid"
    with _operations_lock:
        if name in _operations:
            return name
        if len(_operations) >= MAX_OPERATIONS:
            return "other"
        _operations.add(name)
        return name


def outcome_of(codes: list[str]) -> str:
    """One word for how an operation ended, from its errors' codes."""
    if not codes:
        return "ok"
    if "INTERNAL_SERVER_ERROR" in codes:
        return "internal_error"
    if "FORBIDDEN" in codes:
        return "forbidden"
    if "UNAUTHENTICATED" in codes:
        return "unauthenticated"
    return "user_error"


async def _levels(runtime: Runtime) -> CollectorRegistry:
    """Scrape-time levels read from the database and the broker."""
    registry = CollectorRegistry()
    documents = Gauge("medcredit_documents", "Qualification documents by status.", ["status"], registry=registry)
    counts = await documents_by_status(runtime.db)
    for status in DocumentStatus:
        documents.labels(status=status.name).set(counts.get(status.value, 0))
    queue = Gauge(
        "medcredit_queue_depth",
        "Messages in the task queue: ready to run, delayed for a retry, or dead.",
        ["queue", "state"],
        registry=registry,
    )
    try:
        pipe = runtime.redis.pipeline()
        pipe.llen("dramatiq:default")
        pipe.llen("dramatiq:default.DQ")
        pipe.zcard("dramatiq:default.XQ")
        ready, delayed, dead = await pipe.execute()
    except Exception:  # noqa: BLE001 - a broker outage must not break the metrics page
        up = 0
    else:
        up = 1
        queue.labels(queue="default", state="ready").set(ready)
        queue.labels(queue="default", state="delayed").set(delayed)
        queue.labels(queue="default", state="dead").set(dead)
    Gauge("medcredit_broker_up", "Whether the broker answered this scrape.", registry=registry).set(up)
    return registry


async def metrics(request: Request) -> Response:
    """``/metrics`` in the Prometheus text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        merged = CollectorRegistry()
        MultiProcessCollector(merged)
        counted = generate_latest(merged)
    else:
        counted = generate_latest(REGISTRY)
    levels = generate_latest(await _levels(request.app.state.runtime))
    return Response(counted + levels, media_type=CONTENT_TYPE_LATEST)
