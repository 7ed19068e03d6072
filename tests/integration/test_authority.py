"""Who may grant credit and acknowledge warnings, and the audit row every mutation leaves."""

from __future__ import annotations

import pytest

from common.roles import Role
from tests.conftest import unique
from tests.integration.test_risk_report import overdue_invoice

pytestmark = pytest.mark.integration

CREATE = """mutation($i: CreateCustomerInput!) { createCustomer(input: $i) {
  customer { id code credit { limit } } errors { field code message } } }"""
AUDIT = "query($id: ID!) { auditLog(customerId: $id) { action actor at detail } }"
BY_CODE = "query($s: String) { customers(filter: {search: $s}) { totalCount } }"


def _input(limit: str, code: str | None = None) -> dict:
    return {
        "code": code or unique("AU"),
        "legalName": "上海医械贸易有限公司",
        "type": "DISTRIBUTOR",
        "creditLimit": limit,
    }


@pytest.mark.parametrize("role", [Role.SALES, Role.ONBOARDING])
def test_only_credit_roles_grant_credit(gql, role) -> None:  # type: ignore[no-untyped-def]
    code = unique("GRANT")
    refused = gql(CREATE, {"i": _input("99999999.99", code)}, role)["data"]["createCustomer"]
    assert refused["customer"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("creditLimit", "FORBIDDEN")]
    assert gql(BY_CODE, {"s": code})["data"]["customers"]["totalCount"] == 0, "nothing was created"
    allowed = gql(CREATE, {"i": _input("0")}, role)["data"]["createCustomer"]
    assert allowed["errors"] == [] and allowed["customer"]["credit"]["limit"] == "0.00"


@pytest.mark.parametrize("role", [Role.CREDIT_MANAGER, Role.ADMIN])
def test_starting_limit_is_logged_like_any_change(gql, role) -> None:  # type: ignore[no-untyped-def]
    created = gql(CREATE, {"i": _input("5000")}, role, subject="carol")["data"]["createCustomer"]
    assert created["errors"] == [] and created["customer"]["credit"]["limit"] == "5000.00"
    log = gql(AUDIT, {"id": created["customer"]["id"]}, Role.EXECUTIVE)["data"]["auditLog"]
    change = next(e for e in log if e["action"] == "LIMIT_CHANGED")
    assert change["actor"] == "carol"
    assert change["detail"] == {"before": "0.00", "after": "5000.00", "reason": "starting limit"}
    mutation = next(e for e in log if e["action"] == "MUTATION")
    assert mutation["detail"]["mutation"] == "createCustomer" and mutation["detail"]["outcome"] == "OK"
    assert mutation["actor"] == "carol" and mutation["at"]
    # The input is kept as the client sent it: GraphQL names, enum names, amounts as text.
    recorded = mutation["detail"]["arguments"]["input"]
    assert recorded["creditLimit"] == "5000" and recorded["type"] == "DISTRIBUTOR" and recorded["legalName"]


def test_every_mutation_leaves_an_audit_row_even_refused_or_forbidden(gql) -> None:  # type: ignore[no-untyped-def]
    cid = gql(CREATE, {"i": _input("100")})["data"]["createCustomer"]["customer"]["id"]
    limit = 'mutation($id: ID!, $l: Decimal!) { setCreditLimit(customerId: $id, limit: $l, reason: "x") { errors { code } } }'
    gql(limit, {"id": cid, "l": "-5"}, Role.CREDIT_MANAGER, subject="dave")
    denied = gql(limit, {"id": cid, "l": "50"}, Role.SALES, subject="eve")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    rescore = "mutation($id: ID!) { rescoreCustomer(customerId: $id) { errors { code } } }"
    gql(rescore, {"id": cid}, Role.FINANCE, subject="fay")
    rows = [e for e in gql(AUDIT, {"id": cid})["data"]["auditLog"] if e["action"] == "MUTATION"]
    seen = {(r["actor"], r["detail"]["mutation"], r["detail"]["outcome"]) for r in rows}
    assert ("dave", "setCreditLimit", "REFUSED") in seen
    assert ("eve", "setCreditLimit", "DENIED") in seen
    assert ("fay", "rescoreCustomer", "OK") in seen
    refused = next(r for r in rows if r["actor"] == "dave")
    assert refused["detail"]["codes"] == ["NEGATIVE_AMOUNT"] and refused["detail"]["arguments"]["limit"] == "-5"


def test_a_warning_is_acknowledged_by_those_it_is_addressed_to(gql, worker) -> None:  # type: ignore[no-untyped-def]
    cid = gql(CREATE, {"i": _input("100000")})["data"]["createCustomer"]["customer"]["id"]
    overdue_invoice(gql, cid, "ACK-1", "500.00", 45)
    worker.drain()
    warnings = gql("query($id: ID!) { customer(id: $id) { warnings { id kind notifyRoles } } }", {"id": cid})
    collection = next(w for w in warnings["data"]["customer"]["warnings"] if w["kind"] == "COLLECTION")
    assert "ONBOARDING" not in collection["notifyRoles"]
    ack = 'mutation($id: ID!) { acknowledgeWarning(id: $id, note: "seen") { warning { acknowledgedAt } errors { field code } } }'
    refused = gql(ack, {"id": collection["id"]}, Role.ONBOARDING, Role.VIEWER)["data"]["acknowledgeWarning"]
    assert refused["warning"] is None and [(e["field"], e["code"]) for e in refused["errors"]] == [("id", "FORBIDDEN")]
    done = gql(ack, {"id": collection["id"]}, Role.FINANCE)["data"]["acknowledgeWarning"]
    assert done["errors"] == [] and done["warning"]["acknowledgedAt"]
