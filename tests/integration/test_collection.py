"""Collection tasks on the real stack: opened by the ladder, worked by finance, promises kept or broken."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from common.roles import Role
from infra import ids
from services.rescoring import rescore_customer
from tests.conftest import unique
from tests.support.notify import NotifierThread

pytestmark = pytest.mark.integration
TODAY = datetime.now(UTC).date()

TASKS = """query($c: ID, $a: String, $s: [CollectionTaskStatus!]) {
  collectionTasks(customerId: $c, assignee: $a, status: $s) { totalCount
    nodes { id invoices amount assignee status dueOn promisedOn notes { by text } customer { id } } } }"""
ASSIGN = """mutation($id: ID!, $a: String!) { assignCollectionTask(id: $id, assignee: $a) {
  task { assignee status } errors { field code } } }"""
UPDATE = """mutation($id: ID!, $s: CollectionTaskStatus!, $n: String!, $p: Date) {
  updateCollectionTask(id: $id, status: $s, note: $n, promisedOn: $p) { task { status promisedOn } errors { field code } } }"""
WARNINGS = """query($id: ID!) { customer(id: $id) { warnings { kind severity notifyRoles } } }"""


@pytest.fixture(scope="module")
def sweep(settings, app_client) -> Iterator:  # type: ignore[no-untyped-def]
    """The daily rescoring as it will run on a given day, on a runtime of its own."""
    thread = NotifierThread(settings)
    thread.start()

    def run(cid: str, days_ahead: int) -> None:
        oid = ids.decode_oid(cid, "Customer")
        thread.call(rescore_customer(thread.rt, oid, today=TODAY + timedelta(days=days_ahead), reason="daily sweep"))

    yield run
    thread.stop()


def customer_in_collection(gql, worker, sweep) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"
    cid = gql(
        q,
        {
            "i": {
                "code": unique("K"),
                "legalName": "武汉康和医疗器械有限公司",
                "type": "DISTRIBUTOR",
                "creditLimit": "400000",
                "attributes": {"customer_since": "2018-01-01"},
            }
        },
    )["data"]["createCustomer"]["customer"]["id"]
    inv = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { message } } }"
    number = unique("INV")
    for n, amount, due in (
        (number, "20000.00", TODAY - timedelta(days=5)),
        (unique("INV"), "60000.00", TODAY + timedelta(days=150)),
    ):
        i = {
            "customerId": cid,
            "number": n,
            "amount": amount,
            "issuedOn": (min(due, TODAY) - timedelta(days=30)).isoformat(),
            "dueOn": due.isoformat(),
        }
        assert gql(inv, {"i": i}, Role.FINANCE)["data"]["recordInvoice"]["errors"] == []
    worker.drain()
    sweep(cid, 30)  # 35 days overdue: the COLLECTION rung
    task = gql(TASKS, {"c": cid})["data"]["collectionTasks"]["nodes"][0]
    return cid, task["id"], number


def test_finance_works_a_task_and_a_broken_promise_raises_the_ladder(gql, worker, sweep) -> None:  # type: ignore[no-untyped-def]
    cid, task_id, number = customer_in_collection(gql, worker, sweep)
    assert gql(ASSIGN, {"id": task_id, "a": "wang.li"}, Role.SALES)["data"] is None  # FINANCE's work
    assigned = gql(ASSIGN, {"id": task_id, "a": "wang.li"}, Role.FINANCE)["data"]["assignCollectionTask"]
    assert assigned["errors"] == [] and assigned["task"]["assignee"] == "wang.li"
    mine = gql(TASKS, {"a": "wang.li", "s": ["OPEN"]})["data"]["collectionTasks"]
    assert task_id in [t["id"] for t in mine["nodes"]]

    no_day = gql(UPDATE, {"id": task_id, "s": "PROMISED", "n": "客户口头承诺"}, Role.FINANCE)["data"][
        "updateCollectionTask"
    ]
    assert [(e["field"], e["code"]) for e in no_day["errors"]] == [("promisedOn", "REQUIRED")]
    promised_on = (TODAY + timedelta(days=35)).isoformat()
    promised = gql(
        UPDATE, {"id": task_id, "s": "PROMISED", "n": "财务总监承诺月底前付清", "p": promised_on}, Role.FINANCE
    )["data"]["updateCollectionTask"]
    assert promised["errors"] == [] and promised["task"] == {"status": "PROMISED", "promisedOn": promised_on}

    sweep(cid, 34)  # before the promised day: nothing happens
    assert "BROKEN_PROMISE" not in [w["kind"] for w in gql(WARNINGS, {"id": cid})["data"]["customer"]["warnings"]]
    sweep(cid, 36)  # the day after, still unpaid: the promise is broken
    task = gql(TASKS, {"c": cid})["data"]["collectionTasks"]["nodes"][0]
    assert task["status"] == "ESCALATED" and "promise broken" in task["notes"][-1]["text"]
    broken = next(
        w for w in gql(WARNINGS, {"id": cid})["data"]["customer"]["warnings"] if w["kind"] == "BROKEN_PROMISE"
    )
    assert broken["severity"] == "HIGH" and "FINANCE" in broken["notifyRoles"]
    sweep(cid, 37)  # stays up until someone acts, and the task is not duplicated
    assert gql(TASKS, {"c": cid})["data"]["collectionTasks"]["totalCount"] == 1
    assert "BROKEN_PROMISE" in [w["kind"] for w in gql(WARNINGS, {"id": cid})["data"]["customer"]["warnings"]]

    # Paid: the next sweep closes the task, and a closed task takes no more updates.
    pay = "mutation($i: PaymentInput!) { recordPayment(input: $i) { errors { message } } }"
    assert (
        gql(
            pay,
            {
                "i": {
                    "customerId": cid,
                    "reference": unique("B"),
                    "amount": "20000.00",
                    "receivedOn": TODAY.isoformat(),
                    "invoiceNumbers": [number],
                }
            },
            Role.FINANCE,
        )["data"]["recordPayment"]["errors"]
        == []
    )
    worker.drain()
    sweep(cid, 38)
    task = gql(TASKS, {"c": cid})["data"]["collectionTasks"]["nodes"][0]
    assert task["status"] == "DONE" and task["amount"] == "0.00"
    assert "BROKEN_PROMISE" not in [w["kind"] for w in gql(WARNINGS, {"id": cid})["data"]["customer"]["warnings"]]
    late = gql(UPDATE, {"id": task_id, "s": "IN_PROGRESS", "n": "x"}, Role.FINANCE)["data"]["updateCollectionTask"]
    assert [e["code"] for e in late["errors"]] == ["INVALID_STATE"]
