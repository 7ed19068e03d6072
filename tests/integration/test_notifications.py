"""Notification channels on the real stack: SMTP e-mail and signed webhooks from the stored events."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from common.roles import Role
from notifications.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
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
    thread = NotifierThread(settings, smtp_url=smtp.url, notify_backoff_seconds=1, notify_max_attempts=4)
    thread.start()
    thread.run_once()  # the cursor starts at the newest event
    yield thread
    thread.stop()


def create_customer(gql, limit: str = "100000", contact: str | None = None) -> str:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } errors { message } } }"
    attributes: dict = {"customer_since": "2020-01-01"}
    if contact:
        attributes["contact_email"] = contact
    i = {
        "code": unique("N"),
        "legalName": "苏州康安医疗器械有限公司",
        "type": "DISTRIBUTOR",
        "creditLimit": limit,
        "attributes": attributes,
    }
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


CUSTOMER_STATE = """query($id: ID!) { customer(id: $id) { blocked credit { prepaymentRequired }
  warnings { id kind severity notifyRoles deliveries { channel target status attempts lastError } } } }"""
TASKS = """query($c: ID!) { collectionTasks(customerId: $c) { totalCount nodes {
  id invoices amount assignee status dueOn promisedOn notes { by text } } } }"""
SUBMIT = """mutation($i: SubmitOrderInput!) { submitOrder(input: $i) { order { status holdReasons amount }
  errors { field code message } } }"""


def _rescore_as_of(notifier, cid: str, day) -> None:  # type: ignore[no-untyped-def]
    """The daily sweep as it will run on ``day`` (receivables age; the ledger stays as it is)."""
    from infra import ids
    from services.rescoring import rescore_customer

    notifier.call(rescore_customer(notifier.rt, ids.decode_oid(cid, "Customer"), today=day, reason="daily sweep"))


def _subjects(smtp, address: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [m["Subject"] for m in smtp.mailbox.to(address)]


def test_overdue_ladder_mails_sales_and_customer_then_opens_a_task_then_blocks(gql, worker, notifier, smtp) -> None:  # type: ignore[no-untyped-def]
    tag = unique("m")
    people = {role: f"{role.lower()}-{tag}@example.cn" for role in ("SALES", "FINANCE", "EXECUTIVE", "CREDIT_MANAGER")}
    for role, address in people.items():
        assert gql(SET_RECIPIENTS, {"r": role, "e": [address]})["data"]["setRoleRecipients"]["errors"] == []
    contact = f"ap-{tag}@customer.cn"
    cid = create_customer(gql, "500000", contact=contact)
    number = unique("INV")
    issued = TODAY - timedelta(days=65)
    q = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { message } } }"
    invoice = {
        "customerId": cid,
        "number": number,
        "amount": "80000.00",
        "issuedOn": issued.isoformat(),
        "dueOn": (TODAY - timedelta(days=5)).isoformat(),
    }
    assert gql(q, {"i": invoice}, Role.FINANCE)["data"]["recordInvoice"]["errors"] == []
    # A larger invoice not yet due, so the overdue share stays under the severe threshold (50%).
    current = {
        "customerId": cid,
        "number": unique("INV"),
        "amount": "100000.00",
        "issuedOn": TODAY.isoformat(),
        "dueOn": (TODAY + timedelta(days=120)).isoformat(),
    }
    assert gql(q, {"i": current}, Role.FINANCE)["data"]["recordInvoice"]["errors"] == []
    worker.drain()

    # 5 days overdue: a reminder to sales, and the payment reminder (in Chinese) to the customer.
    notifier.run_once()
    assert any("逾期提醒" in s for s in _subjects(smtp, people["SALES"]))
    to_customer = smtp.mailbox.to(contact)
    assert len(to_customer) == 1 and "付款提醒" in to_customer[0]["Subject"]
    body = to_customer[0].get_content()
    assert "80,000.00" in body and "逾期 5 天" in body
    assert _subjects(smtp, people["FINANCE"]) == [] and _subjects(smtp, people["EXECUTIVE"]) == []
    state = gql(CUSTOMER_STATE, {"id": cid})["data"]["customer"]
    reminder = next(w for w in state["warnings"] if w["kind"] == "OVERDUE_REMINDER")
    assert {(d["channel"], d["target"], d["status"], d["attempts"]) for d in reminder["deliveries"]} >= {
        ("EMAIL", people["SALES"], "DELIVERED", 1),
        ("EMAIL", contact, "DELIVERED", 1),
    }
    assert gql(TASKS, {"c": cid})["data"]["collectionTasks"]["totalCount"] == 0

    # 35 days overdue: a collection task for finance, and finance is e-mailed.
    _rescore_as_of(notifier, cid, TODAY + timedelta(days=30))
    notifier.run_once()
    assert any("催收" in s for s in _subjects(smtp, people["FINANCE"]))
    tasks = gql(TASKS, {"c": cid})["data"]["collectionTasks"]
    assert tasks["totalCount"] == 1
    task = tasks["nodes"][0]
    assert task["status"] == "OPEN" and task["invoices"] == [number] and task["amount"] == "80000.00"
    _rescore_as_of(notifier, cid, TODAY + timedelta(days=31))  # the next day: updated, not duplicated
    assert gql(TASKS, {"c": cid})["data"]["collectionTasks"]["totalCount"] == 1
    assert _subjects(smtp, people["EXECUTIVE"]) == []
    assert gql(CUSTOMER_STATE, {"id": cid})["data"]["customer"]["blocked"] is False

    # 95 days overdue: blocked, executives e-mailed, prepayment required.
    _rescore_as_of(notifier, cid, TODAY + timedelta(days=90))
    notifier.run_once()
    assert any("严重逾期" in s for s in _subjects(smtp, people["EXECUTIVE"]))
    state = gql(CUSTOMER_STATE, {"id": cid})["data"]["customer"]
    assert state["blocked"] is True and state["credit"]["prepaymentRequired"] is True
    order = {
        "customerId": cid,
        "externalRef": unique("PO"),
        "lines": [{"sku": "GLOVE", "deviceClass": "I", "category": "14", "quantity": 10, "unitPrice": "100.00"}],
    }
    held = gql(SUBMIT, {"i": order}, Role.SALES)["data"]["submitOrder"]["order"]
    assert held["status"] == "HELD" and "PREPAYMENT_REQUIRED" in held["holdReasons"]
    assert gql(TASKS, {"c": cid})["data"]["collectionTasks"]["totalCount"] == 1

    # The order of the mails: reminder, then collection, then the block.
    sales = _subjects(smtp, people["SALES"])
    firsts = [next(i for i, s in enumerate(sales) if word in s) for word in ("逾期提醒", "催收", "严重逾期")]
    assert firsts == sorted(firsts)
    # Each warning and severity is mailed once, however often the sweep runs.
    notifier.run_once()
    assert len(smtp.mailbox.to(contact)) == 1

    # With the money received in advance the order goes through, and the payment is on the ledger.
    prepaid = {**order, "externalRef": unique("PO"), "prepaymentReference": unique("PRE")}
    answer = gql(SUBMIT, {"i": prepaid}, Role.SALES)["data"]["submitOrder"]
    assert answer["errors"] == [] and answer["order"]["status"] == "APPROVED", answer
    worker.drain()


def test_an_event_stored_late_is_waited_for_not_skipped(gql, notifier) -> None:  # type: ignore[no-untyped-def]
    from bson import ObjectId

    from infra.events import new_event, record_event, store_and_publish
    from scoring.codes import Severity

    address = f"onboarding-{unique('g')}@example.cn"
    assert gql(SET_RECIPIENTS, {"r": "ONBOARDING", "e": [address]})["data"]["setRoleRecipients"]["errors"] == []
    first, second = ObjectId(), ObjectId()

    def payload(warning: ObjectId) -> dict:
        return {
            "warningId": f"wrn_{warning}",
            "kind": "LICENSE_EXPIRING",
            "severity": "LOW",
            "message": "资质即将到期",
            "notifyRoles": ["ONBOARDING"],
        }

    async def scenario() -> tuple[list[str], list[str]]:  # the new deliveries' ids, before and after
        rt, now = notifier.rt, datetime.now(UTC)
        # The first event's id is taken (its writer is slow), the second is stored before it.
        slow = await new_event(rt.db, "WARNING_RAISED", Severity.LOW, ObjectId(), payload(first))
        await record_event(rt.db, rt.redis, "WARNING_RAISED", Severity.LOW, ObjectId(), payload(second))
        before = [d["_id"] for d in await notifier.notifier.plan(now)]
        await store_and_publish(rt.db, rt.redis, slow)
        after = [d["_id"] for d in await notifier.notifier.plan(now)]
        return before, after

    before, after = notifier.call(scenario())
    assert not any(str(second) in key for key in before), "the notifier waits for the missing id"
    assert any(str(first) in key for key in after) and any(str(second) in key for key in after)
