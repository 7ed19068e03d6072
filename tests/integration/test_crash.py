"""Crash safety under ``medcredit run``: a killed worker or database is restarted, and a
document whose worker died mid-reading is picked up again and ends once, with one
certificate. The whole stack runs as real processes on its own ports and Redis database."""

from __future__ import annotations

import json
import os
import queue
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from api.auth import mint_token
from common.roles import Role
from infra.events import CHANNEL
from tests.docgen import render_scan
from tests.integration.test_documents import fresh_truth
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SECRET = "crash-test-secret-" + "y" * 40
FINAL = {"VERIFIED", "NEEDS_REVIEW", "MISMATCH", "EXPIRED", "FAILED", "REJECTED"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stack:
    """``medcredit run`` in a child process; its log lines arrive on a queue."""

    def __init__(self, data_dir: Path, redis_url: str) -> None:
        self.port, db_port = _free_port(), _free_port()
        self.redis_url = redis_url
        env = dict(
            os.environ,
            MEDCREDIT_DATA_DIR=str(data_dir),
            MEDCREDIT_DB_PORT=str(db_port),
            MEDCREDIT_SECRET=SECRET,
            REDIS_URL=redis_url,
            PYTHONUNBUFFERED="1",
        )
        env.pop("MONGODB_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "run", "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.pids: dict[str, int] = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def expect(self, pattern: str, timeout: float) -> re.Match[str]:
        """Wait for a log line matching ``pattern`` (log lines are events: no polling)."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            started = re.search(r"starting (\w+) \(pid (\d+)\)", line)
            if started:
                self.pids[started[1]] = int(started[2])
            found = re.search(pattern, line)
            if found:
                return found

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    base = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9").rsplit("/", 1)[0]
    redis_url = f"{base}/11"  # its own queues: the session's in-process worker must not take its work
    redis.Redis.from_url(redis_url).flushdb()
    running = Stack(tmp_path_factory.mktemp("crash-var"), redis_url)
    try:
        running.expect(r"GraphQL on http", 90)
        wait_until(lambda: _ready(running.port), timeout=60, what="the stack to answer /readyz", step=0.2)
        yield running
    finally:
        running.stop()


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _gql(stack: Stack, query: str, variables: dict, role: Role = Role.ADMIN, **kwargs) -> dict:  # type: ignore[no-untyped-def]
    token = mint_token(SECRET, "crash-test", [role], 1)
    response = httpx.post(
        f"http://127.0.0.1:{stack.port}/graphql",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
        **(kwargs or {"json": {"query": query, "variables": variables}}),
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_killed_worker_restarts_and_its_document_ends_once(stack: Stack) -> None:
    truth = fresh_truth("operation_license", 83)
    created = _gql(
        stack,
        "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }",
        {"i": {"code": "CRASH-1", "legalName": truth.holder_name, "uscc": truth.uscc, "type": "DISTRIBUTOR"}},
    )
    cid = created["data"]["createCustomer"]["customer"]["id"]
    events = redis.Redis.from_url(stack.redis_url).pubsub()  # pub/sub channels span databases
    events.subscribe(CHANNEL)
    operations = {
        "query": "mutation($c: ID!, $f: Upload!) { uploadQualificationDocument(customerId: $c, file: $f) { document { id } errors { code } } }",
        "variables": {"c": cid, "f": None},
    }
    photo = render_scan(truth, random.Random(3), "photo")
    uploaded = _gql(
        stack,
        "",
        {},
        Role.ONBOARDING,
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
        files={"0": ("licence.jpg", photo, "image/jpeg")},
    )
    doc_id = uploaded["data"]["uploadQualificationDocument"]["document"]["id"]

    def statuses(timeout: float) -> Iterator[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = events.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None:
                continue
            event = json.loads(message["data"])
            if event["type"] == "DOCUMENT_STATUS" and event["payload"].get("documentId") == doc_id:
                yield event["payload"]["status"]

    assert "PROCESSING" in iter(statuses(60)), "the worker started reading"
    worker_pid = stack.pids["worker"]
    os.killpg(worker_pid, signal.SIGKILL)  # the worker and its forked processes
    stack.expect(r"worker exited with -?\d+; restarting", 10)
    stack.expect(r"starting worker \(pid \d+\)", 10)
    killed_at = time.monotonic()
    final = next(s for s in statuses(90) if s in FINAL)
    assert time.monotonic() - killed_at < 60 + 30, "picked up again within a minute (plus the reading itself)"
    doc = _gql(stack, "query($id: ID!) { document(id: $id) { status } }", {"id": doc_id})
    assert doc["data"]["document"]["status"] == final
    certificates = _gql(stack, "query($id: ID!) { customer(id: $id) { certificates { id } } }", {"id": cid})
    assert len(certificates["data"]["customer"]["certificates"]) == (1 if final == "VERIFIED" else 0)


def test_a_killed_database_restarts_and_keeps_acknowledged_writes(stack: Stack) -> None:
    created = _gql(
        stack,
        "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }",
        {"i": {"code": "CRASH-DB", "legalName": "持久医疗器械有限公司", "type": "HOSPITAL"}},
    )
    cid = created["data"]["createCustomer"]["customer"]["id"]
    os.killpg(stack.pids["database"], signal.SIGKILL)
    stack.expect(r"database exited with -?\d+; restarting", 10)
    stack.expect(r"starting database \(pid \d+\)", 10)

    def answered() -> dict:
        found = _gql(stack, "query($id: ID!) { customer(id: $id) { code } }", {"id": cid})
        return {} if "errors" in found else found

    # The API's driver reconnects on its own; ask until it has.
    found = wait_until(
        answered, timeout=60, what="the database to come back", step=0.2, ignore=(httpx.HTTPError, AssertionError)
    )
    assert found["data"]["customer"]["code"] == "CRASH-DB"
