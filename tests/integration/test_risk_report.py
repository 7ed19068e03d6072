"""Risk report aggregation, the audit trail and acknowledging warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from common.roles import Role
from tests.conftest import unique

pytestmark = pytest.mark.integration

REPORT = """{ riskReport { totalExposure totalOverdue
  byGrade { grade customers exposure }
  byRegion { key customers exposure overdue averageScore }
  byCustomerType { key customers exposure overdue } } }"""


def create(gql, region: str, ctype: str, limit: str = "100000") -> str:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"
    i = {
        "code": unique("RR"),
        "legalName": "某医疗器械公司",
        "type": ctype,
        "region": region,
        "creditLimit": limit,
    }
    return gql(q, {"i": i})["data"]["createCustomer"]["customer"]["id"]


def overdue_invoice(gql, cid: str, number: str, amount: str, days: int) -> None:  # type: ignore[no-untyped-def]
    due = datetime.now(UTC).date() - timedelta(days=days)
    q = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { message } } }"
    gql(
        q,
        {
            "i": {
                "customerId": cid,
                "number": number,
                "amount": amount,
                "issuedOn": (due - timedelta(days=30)).isoformat(),
                "dueOn": due.isoformat(),
            }
        },
        Role.FINANCE,
    )


def test_risk_report_groups_exposure_overdue_and_scores(gql, worker) -> None:  # type: ignore[no-untyped-def]
    region = unique("省")
    a = create(gql, region, "HOSPITAL")
    b = create(gql, region, "RETAILER")
    overdue_invoice(gql, a, "A1", "1000.50", 10)
    overdue_invoice(gql, b, "B1", "2000.25", -10)  # not yet due
    worker.drain()
    report = gql(REPORT)["data"]["riskReport"]
    group = next(g for g in report["byRegion"] if g["key"] == region)
    assert (group["customers"], group["exposure"], group["overdue"]) == (2, "3000.75", "1000.50")
    scores = [
        gql("query($id: ID!) { customer(id: $id) { risk { score } } }", {"id": c})["data"]["customer"]["risk"]["score"]
        for c in (a, b)
    ]
    assert group["averageScore"] == pytest.approx(sum(scores) / 2, abs=0.01)
    assert sum(g["customers"] for g in report["byGrade"]) >= 2
    assert Decimal(report["totalExposure"]) >= Decimal("3000.75")
    assert Decimal(report["totalOverdue"]) == sum(Decimal(g["overdue"]) for g in report["byRegion"])


def test_acknowledging_a_warning_is_recorded_and_audited(gql, worker) -> None:  # type: ignore[no-untyped-def]
    cid = create(gql, "浙江", "DISTRIBUTOR")
    overdue_invoice(gql, cid, "W1", "500.00", 45)
    worker.drain()
    warnings = gql(
        "query($id: ID!) { customer(id: $id) { warnings { id kind acknowledgedAt notifyRoles } } }",
        {"id": cid},
    )["data"]["customer"]["warnings"]
    collection = next(w for w in warnings if w["kind"] == "COLLECTION")
    assert "FINANCE" in collection["notifyRoles"] and collection["acknowledgedAt"] is None
    ack = """mutation($id: ID!, $note: String) { acknowledgeWarning(id: $id, note: $note) {
      warning { id acknowledgedAt } errors { field code } } }"""
    done = gql(ack, {"id": collection["id"], "note": "called the buyer"}, Role.FINANCE)["data"]["acknowledgeWarning"]
    assert done["errors"] == [] and done["warning"]["acknowledgedAt"] is not None
    missing = gql(ack, {"id": "wrn_000000000000000000000000"}, Role.FINANCE)["data"]["acknowledgeWarning"]
    assert [e["code"] for e in missing["errors"]] == ["NOT_FOUND"]
    global_list = gql("{ warnings(minSeverity: MEDIUM) { id severity } }")["data"]["warnings"]
    assert collection["id"] in {w["id"] for w in global_list}
    log = gql(
        "query($id: ID!) { auditLog(customerId: $id) { action actor detail } }",
        {"id": cid},
        Role.CREDIT_MANAGER,
    )
    actions = [e["action"] for e in log["data"]["auditLog"]]
    assert "WARNING_ACKNOWLEDGED" in actions
    entry = next(e for e in log["data"]["auditLog"] if e["action"] == "WARNING_ACKNOWLEDGED")
    assert entry["detail"]["note"] == "called the buyer" and entry["actor"] == "tester"


def test_audit_trail_keeps_limit_changes_holds_and_releases(gql) -> None:  # type: ignore[no-untyped-def]
    cid = create(gql, "北京", "AGENT", limit="10")
    gql(
        """mutation($id: ID!) { setCreditLimit(customerId: $id, limit: "20", reason: "pilot") { errors { code } } }""",
        {"id": cid},
        Role.CREDIT_MANAGER,
    )
    order = gql(
        """mutation($i: SubmitOrderInput!) { submitOrder(input: $i) { order { id status } } }""",
        {
            "i": {
                "customerId": cid,
                "externalRef": "AUD-1",
                "lines": [
                    {
                        "sku": "X",
                        "deviceClass": "I",
                        "category": "01",
                        "quantity": 1,
                        "unitPrice": "50.00",
                    }
                ],
            }
        },
        Role.SALES,
    )["data"]["submitOrder"]["order"]
    assert order["status"] == "HELD"
    gql(
        """mutation($id: ID!) { releaseOrder(id: $id, note: "urgent surgery") { errors { code } } }""",
        {"id": order["id"]},
        Role.CREDIT_MANAGER,
    )
    log = gql(
        "query($id: ID!) { auditLog(customerId: $id) { action actor detail } }",
        {"id": cid},
        Role.EXECUTIVE,
    )
    # Besides these domain rows, each mutation leaves a MUTATION row (tests/integration/test_authority.py).
    changes = [e for e in log["data"]["auditLog"] if e["action"] != "MUTATION"]
    assert [e["action"] for e in changes] == ["ORDER_RELEASED", "ORDER_HELD", "LIMIT_CHANGED", "LIMIT_CHANGED"]
    assert changes[2]["detail"]["before"] == "10.00"
    assert changes[3]["detail"] == {"before": "0.00", "after": "10.00", "reason": "starting limit"}
    forbidden = gql("query($id: ID!) { auditLog(customerId: $id) { action } }", {"id": cid}, Role.SALES)
    assert forbidden["data"] == {"auditLog": None}
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
