"""Outside risk signals on the real stack: recorded by hand, pulled over HTTP, scored and warned."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from common.roles import Role
from services.signals import HttpRatingsProvider, pull_ratings
from tests.conftest import unique
from tests.support.notify import NotifierThread, free_port
from tests.support.uscc import make_uscc

pytestmark = pytest.mark.integration
TODAY = datetime.now(UTC).date()

RECORD = """mutation($i: RiskSignalInput!) { recordRiskSignal(input: $i) {
  signal { id kind severity source occurredOn score } errors { field code message } } }"""
STATE = """query($id: ID!) { customer(id: $id) { blocked
  risk { score factors { name value contribution } }
  warnings { kind severity notifyRoles }
  riskSignals { kind severity source score } } }"""


@pytest.fixture(scope="module")
def runtime_thread(settings, app_client) -> Iterator[NotifierThread]:  # type: ignore[no-untyped-def]
    thread = NotifierThread(settings)
    thread.start()
    yield thread
    thread.stop()


def scored_customer(gql, worker, uscc: str | None = None) -> str:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } errors { message } } }"
    i: dict[str, Any] = {
        "code": unique("G"),
        "legalName": "成都康瑞医疗器械有限公司",
        "type": "DISTRIBUTOR",
        "creditLimit": "200000",
        "attributes": {"customer_since": "2018-01-01"},
    }
    if uscc:
        i["uscc"] = uscc
    cid = gql(q, {"i": i})["data"]["createCustomer"]["customer"]["id"]
    inv = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { message } } }"
    i = {
        "customerId": cid,
        "number": unique("I"),
        "amount": "30000.00",
        "issuedOn": TODAY.isoformat(),
        "dueOn": (TODAY + timedelta(days=60)).isoformat(),
    }
    assert gql(inv, {"i": i}, Role.FINANCE)["data"]["recordInvoice"]["errors"] == []
    worker.drain()
    return cid


def factor(state: dict, name: str) -> dict:
    return next(f for f in state["risk"]["factors"] if f["name"] == name)


def test_a_lawsuit_raises_the_right_warning_and_moves_the_score(gql, worker) -> None:  # type: ignore[no-untyped-def]
    cid = scored_customer(gql, worker)
    before = gql(STATE, {"id": cid})["data"]["customer"]
    assert "external_rating" not in [f["name"] for f in before["risk"]["factors"]]  # no rating: left out

    lawsuit = {
        "customerId": cid,
        "kind": "LAWSUIT",
        "severity": "HIGH",
        "source": "成都市中级人民法院",
        "occurredOn": (TODAY - timedelta(days=3)).isoformat(),
        "note": "合同纠纷，标的 120 万",
    }
    assert gql(RECORD, {"i": lawsuit}, Role.SALES)["data"] is None  # CREDIT_MANAGER only
    made = gql(RECORD, {"i": lawsuit}, Role.CREDIT_MANAGER)["data"]["recordRiskSignal"]
    assert made["errors"] == [] and made["signal"]["kind"] == "LAWSUIT"
    worker.drain()
    after = gql(STATE, {"id": cid})["data"]["customer"]
    assert after["risk"]["score"] < before["risk"]["score"]
    assert factor(after, "external_rating")["value"] == 50  # the neutral 70, less 20 for a HIGH signal
    warning = next(w for w in after["warnings"] if w["kind"] == "LAWSUIT")
    assert warning["severity"] == "HIGH" and set(warning["notifyRoles"]) == {"CREDIT_MANAGER", "FINANCE", "SALES"}
    assert after["blocked"] is False

    news = {**lawsuit, "kind": "NEGATIVE_NEWS", "severity": "CRITICAL", "source": "财新", "note": "涉嫌商业贿赂"}
    assert gql(RECORD, {"i": news}, Role.CREDIT_MANAGER)["data"]["recordRiskSignal"]["errors"] == []
    worker.drain()
    critical = gql(STATE, {"id": cid})["data"]["customer"]
    warning = next(w for w in critical["warnings"] if w["kind"] == "NEGATIVE_NEWS")
    assert warning["severity"] == "CRITICAL" and "EXECUTIVE" in warning["notifyRoles"]
    assert critical["blocked"] is True
    assert [s["kind"] for s in critical["riskSignals"]] == ["NEGATIVE_NEWS", "LAWSUIT"]  # newest first


def test_signal_input_is_checked(gql, worker) -> None:  # type: ignore[no-untyped-def]
    cid = scored_customer(gql, worker)
    rating = {
        "customerId": cid,
        "kind": "EXTERNAL_RATING",
        "severity": "INFO",
        "source": "中诚信",
        "occurredOn": (TODAY + timedelta(days=1)).isoformat(),
    }
    errors = gql(RECORD, {"i": rating}, Role.CREDIT_MANAGER)["data"]["recordRiskSignal"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {("score", "REQUIRED"), ("occurredOn", "INVALID_DATE_RANGE")}
    bad = {**rating, "occurredOn": TODAY.isoformat(), "score": 140}
    assert [e["field"] for e in gql(RECORD, {"i": bad}, Role.CREDIT_MANAGER)["data"]["recordRiskSignal"]["errors"]] == [
        "score"
    ]


class RatingsServer:
    """A credit-information provider on a loopback port: knows one company, wants a key."""

    def __init__(self, ratings: dict[str, dict], key: str) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append(self.path)
                if self.headers.get("Authorization") != f"Bearer {key}":
                    self.send_response(401)
                    self.end_headers()
                    return
                uscc = self.path.split("uscc=")[-1]
                body = ratings.get(uscc)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                if body:
                    self.wfile.write(json.dumps(body).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ratings"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_ratings_pulled_over_http_feed_the_scorecard(gql, worker, runtime_thread) -> None:  # type: ignore[no-untyped-def]
    uscc = make_uscc(random.Random())
    cid = scored_customer(gql, worker, uscc=uscc)
    server = RatingsServer({uscc: {"uscc": uscc, "score": 82, "ratedOn": TODAY.isoformat(), "source": "中诚信"}}, "k-1")
    try:
        provider = HttpRatingsProvider(server.url, "k-1")
        first = runtime_thread.call(pull_ratings(runtime_thread.rt, provider, today=TODAY))
        again = runtime_thread.call(pull_ratings(runtime_thread.rt, provider, today=TODAY))
        runtime_thread.call(provider.aclose())
        assert first.recorded == 1 and first.failed == 0
        assert again.recorded == 0 and again.unchanged == again.asked  # the same rating is stored once
        wrong_key = HttpRatingsProvider(server.url, "nope")
        refused = runtime_thread.call(pull_ratings(runtime_thread.rt, wrong_key, today=TODAY))
        runtime_thread.call(wrong_key.aclose())
        assert refused.recorded == 0 and refused.failed == refused.asked
    finally:
        server.stop()
    worker.drain()
    state = gql(STATE, {"id": cid})["data"]["customer"]
    assert factor(state, "external_rating")["value"] == 82 and factor(state, "external_rating")["contribution"] > 0
    assert [(s["kind"], s["score"], s["source"]) for s in state["riskSignals"]] == [("EXTERNAL_RATING", 82, "中诚信")]
