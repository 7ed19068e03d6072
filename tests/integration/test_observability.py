"""Operations: /metrics in the Prometheus format (requests by operation and outcome,
latencies, documents by status, queue depth, worker task durations, merged across
processes), and JSON logs with request id, subject, operation and duration."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from common.roles import Role
from infra.logs import JsonFormatter
from tests.integration.test_orders import new_customer

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return float(samples.get((name, tuple(sorted(labels.items()))), 0.0))


def test_metrics_count_operations_outcomes_levels_and_tasks(app_client: TestClient, gql, worker) -> None:  # type: ignore[no-untyped-def]
    before = scrape(app_client)
    cid = new_customer(gql, "1000")
    gql("query MetricsProbe { customers(first: 1) { totalCount } }")
    gql("query MetricsProbe { customers(first: 1) { totalCount } }")
    gql("query AuditProbe($id: ID!) { auditLog(customerId: $id) { action } }", {"id": cid}, Role.VIEWER)
    gql("mutation($id: ID!) { rescoreCustomer(customerId: $id) { errors { code } } }", {"id": cid}, Role.FINANCE)
    worker.drain()
    after = scrape(app_client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("medcredit_graphql_requests_total", operation="MetricsProbe", outcome="ok") == 2
    assert grew("medcredit_graphql_requests_total", operation="AuditProbe", outcome="forbidden") == 1
    assert grew("medcredit_graphql_request_duration_seconds_count", operation="MetricsProbe") == 2
    assert grew("medcredit_http_request_duration_seconds_count", route="/graphql", method="POST", status="200") >= 4
    assert grew("medcredit_worker_tasks_total", actor="rescore_customer", outcome="ok") >= 1
    assert grew("medcredit_worker_task_duration_seconds_count", actor="rescore_customer") >= 1
    assert ("medcredit_documents", (("status", "QUEUED"),)) in after
    assert value(after, "medcredit_queue_depth", queue="default", state="ready") == 0, "drained"
    assert value(after, "medcredit_broker_up") == 1


def test_metrics_of_every_process_are_merged(app_client: TestClient, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A worker process under `medcredit run` writes its samples to the shared directory.
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    code = "from infra.metrics import TASK_DURATION; TASK_DURATION.labels(actor='other_process').observe(0.2)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = scrape(app_client)
    assert value(samples, "medcredit_worker_task_duration_seconds_count", actor="other_process") == 1


def test_json_request_lines_with_id_subject_operation_and_duration(app_client: TestClient, token_for, caplog) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for(Role.VIEWER, subject='lena')}", "X-Request-ID": "req-42"}
    with caplog.at_level(logging.INFO):
        response = app_client.post(
            "/graphql",
            json={
                "query": 'query LogProbe { customers(first: 1) { totalCount } auditLog(customerId: "cus_x") { action } }'
            },
            headers=headers,
        )
        fresh = app_client.post("/graphql", json={"query": "{ customers { totalCount } }"})
    assert response.status_code == 200 and response.headers["x-request-id"] == "req-42"
    assert len(fresh.headers["x-request-id"]) == 32, "a new id when the caller sends none"
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "medcredit.request"]
    probe = next(line for line in lines if line.get("request_id") == "req-42")
    assert probe["subject"] == "lena" and probe["operation"] == "LogProbe" and probe["status"] == 200
    assert probe["outcome"] == "forbidden" and probe["error_codes"] == ["FORBIDDEN"]
    assert probe["duration_ms"] >= 0 and probe["time"].endswith("Z") and probe["level"] == "info"
    unauthenticated = next(line for line in lines if line["request_id"] == fresh.headers["x-request-id"])
    assert unauthenticated["status"] == 401 and unauthenticated["subject"] is None
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a client's 4xx or a FORBIDDEN field"


def test_one_log_line_per_worker_task(gql, worker, caplog) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    with caplog.at_level(logging.INFO, logger="medcredit.worker"):
        gql("mutation($id: ID!) { rescoreCustomer(customerId: $id) { errors { code } } }", {"id": cid}, Role.FINANCE)
        worker.drain()
    tasks = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "medcredit.worker"]
    rescores = [t for t in tasks if t["actor"] == "rescore_customer"]
    assert rescores and all(t["outcome"] == "ok" and t["duration_ms"] > 0 and t["message_id"] for t in rescores)
    assert len({t["message_id"] for t in tasks}) == len(tasks), "one line per task"
