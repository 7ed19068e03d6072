"""Notification channels on the real stack: SMTP e-mail and signed webhooks from the stored events."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from notifications.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from scoring.roles import Role
from tests.conftest import unique
from tests.support.notify import NotifierThread, SmtpServer, WebhookReceiver, free_port

pytestmark = pytest.mark.integration
TODAY = datetime.now(UTC).date()

CREATE_HOOK = """mutation($i: CreateWebhookInput!) { createWebhook(input: $i) {
  webhook { id url minSeverity eventTypes disabled } secret errors { field code message } } }"""
HOOKS = "{ webhooks { id url disabled consecutiveFailures } }"
SET_RECIPIENTS = """mutation($r: Role!, $e: [String!]!) { setRoleRecipients(role: $r, emails: $e) {
  role emails errors { code message } } }"""
CUSTOMER_WARNINGS = """query($id: ID!) { customer(id: $id) { blocked warnings { id kind severity
  deliveries { channel target status attempts lastError } } } }"""


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def notifier(settings, smtp, app_client) -> Iterator[NotifierThread]:  # type: ignore[no-untyped-def]
    thread = NotifierThread(
        settings, smtp_url=smtp.url, notify_backoff_seconds=1, notify_max_attempts=4
    )
    thread.start()
    thread.run_once()  # the cursor starts at the newest event
    yield thread
    thread.stop()


def create_customer(gql, limit: str = "100000", contact: str | None = None) -> str:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } errors { message } } }"
    attributes: dict = {"customer_since": "2020-01-01"}
    if contact:
        attributes["contact_email"] = contact
    i = {"code": unique("N"), "legalName": "苏州康安医疗器械有限公司", "type": "DISTRIBUTOR",
         "creditLimit": limit, "attributes": attributes}
    return gql(q, {"i": i})["data"]["createCustomer"]["customer"]["id"]


def set_limit(gql, cid: str, limit: str) -> None:  # type: ignore[no-untyped-def]
    q = """mutation($c: ID!, $l: Decimal!) { setCreditLimit(customerId: $c, limit: $l, reason: "review") {
      errors { message } } }"""
    assert gql(q, {"c": cid, "l": limit}, Role.CREDIT_MANAGER)["data"]["setCreditLimit"]["errors"] == []


def test_role_recipients_and_webhook_input_are_checked(gql) -> None:  # type: ignore[no-untyped-def]
    bad = gql(SET_RECIPIENTS, {"r": "SALES", "e": ["not-an-address"]})["data"]["setRoleRecipients"]
    assert [e["code"] for e in bad["errors"]] == ["INVALID"]
    made = gql(CREATE_HOOK, {"i": {"url": "ftp://x", "eventTypes": ["NO_SUCH"]}})["data"]["createWebhook"]
    assert made["webhook"] is None and made["secret"] is None
    assert {e["field"] for e in made["errors"]} == {"url", "eventTypes"}
    denied = gql(CREATE_HOOK, {"i": {"url": "http://127.0.0.1:9/x"}}, Role.SALES)
    assert denied["data"] is None or denied["data"]["createWebhook"] is None


def test_webhook_gets_each_event_once_signed_after_being_down(gql, notifier) -> None:  # type: ignore[no-untyped-def]
    # The receiver's port is taken but not listening: connections are refused (it is "down").
    port = free_port()
    receiver = WebhookReceiver(port)
    made = gql(CREATE_HOOK, {"i": {"url": receiver.url, "minSeverity": "INFO"}})["data"]["createWebhook"]
    assert made["errors"] == [] and made["secret"].startswith("whsec_")
    secret, hook_id = made["secret"], made["webhook"]["id"]
    assert "secret" not in str(gql(HOOKS)["data"]["webhooks"])  # shown once, at creation only

    cid = create_customer(gql)
    for limit in ("120000", "90000", "150000"):
        set_limit(gql, cid, limit)
    events = gql("""query($c: ID!) { events(customerId: $c, first: 100) { nodes { id type } } }""", {"c": cid})
    expected = [e["id"] for e in events["data"]["events"]["nodes"]]
    assert len(expected) >= 3

    start = datetime.now(UTC)
    notifier.run_once(start)
    notifier.run_once(start + timedelta(seconds=5))  # the first retry is due; still down
    hooks = {h["id"]: h for h in gql(HOOKS)["data"]["webhooks"]}
    assert hooks[hook_id]["disabled"] is False, "failures of one outage must not disable the webhook"

    receiver.start()
    try:
        # Within the backoff schedule, the receiver now up: everything arrives.
        notifier.run_once(start + timedelta(minutes=5))
        notifier.run_once(start + timedelta(minutes=10))  # nothing left: no duplicates
        mine = [r for r in receiver.received if r.json["customerId"] == cid]
        counts = Counter(r.json["id"] for r in mine)
        assert sorted(counts) == sorted(expected) and set(counts.values()) == {1}
        for r in mine:
            assert r.headers[EVENT_ID_HEADER] == r.json["id"]
            assert verify(secret, int(r.headers[TIMESTAMP_HEADER]), r.body, r.headers[SIGNATURE_HEADER])
            assert not verify("whsec_other", int(r.headers[TIMESTAMP_HEADER]), r.body, r.headers[SIGNATURE_HEADER])
        assert {h["id"]: h for h in gql(HOOKS)["data"]["webhooks"]}[hook_id]["consecutiveFailures"] == 0
    finally:
        receiver.stop()
        gql("mutation($id: ID!) { deleteWebhook(id: $id) { errors { code } } }", {"id": hook_id})


def test_a_webhook_that_keeps_failing_is_disabled_with_an_event(gql, notifier) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as dead:  # bound, never listening: every attempt is refused
        dead.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{dead.getsockname()[1]}/hook"
        made = gql(CREATE_HOOK, {"i": {"url": url, "eventTypes": ["LIMIT_CHANGED"]}})["data"]["createWebhook"]
        hook_id = made["webhook"]["id"]
        cid = create_customer(gql)
        set_limit(gql, cid, "80000")
        start = datetime.now(UTC)
        for step in range(4):  # the test notifier gives up after 4 attempts
            notifier.run_once(start + timedelta(minutes=step * 10))
    hooks = {h["id"]: h for h in gql(HOOKS)["data"]["webhooks"]}
    assert hooks[hook_id]["disabled"] is True
    events = gql("""query($c: ID!) { events(customerId: $c, first: 100) { nodes { type payload } } }""", {"c": cid})
    disabled = [e for e in events["data"]["events"]["nodes"] if e["type"] == "WEBHOOK_DISABLED"]
    assert len(disabled) == 1 and disabled[0]["payload"]["webhookId"] == hook_id
    gql("mutation($id: ID!) { deleteWebhook(id: $id) { errors { code } } }", {"id": hook_id})
