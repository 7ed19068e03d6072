"""Wire formats and error codes: one DateTime form, Decimal as strings only, described
codes and scalars, and an ``extensions.code`` on every error."""

from __future__ import annotations

import logging
import re

import pytest
from starlette.testclient import TestClient

from common.roles import Role
from tests.integration.test_orders import line, new_customer, submit

pytestmark = pytest.mark.integration
UTC_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_a_datetime_reads_the_same_fresh_and_from_the_database(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    q = "mutation($i: SubmitOrderInput!) { submitOrder(input: $i) { order { id submittedAt } } }"
    fresh = gql(q, {"i": {"customerId": cid, "externalRef": "PO-FMT", "lines": [line()]}}, Role.SALES)
    order = fresh["data"]["submitOrder"]["order"]
    stored = gql("query($id: ID!) { order(id: $id) { submittedAt } }", {"id": order["id"]})["data"]["order"]
    assert UTC_MILLIS.match(order["submittedAt"]), order["submittedAt"]
    assert stored["submittedAt"] == order["submittedAt"]
    events = gql("query($c: ID) { events(customerId: $c) { edges { node { occurredAt } } } }", {"c": cid})
    assert all(UTC_MILLIS.match(e["node"]["occurredAt"]) for e in events["data"]["events"]["edges"])


def test_decimal_takes_strings_only(gql) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "1000")
    q = 'mutation($id: ID!, $l: Decimal!) { setCreditLimit(customerId: $id, limit: $l, reason: "r") { customer { credit { limit } } errors { code } } }'
    as_number = gql(q, {"id": cid, "l": 2500.10}, Role.CREDIT_MANAGER)
    assert as_number["data"] is None
    error = as_number["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "string" in error["message"] and "2500.1" in error["message"]
    literal = gql(
        f'mutation {{ setCreditLimit(customerId: "{cid}", limit: 2500, reason: "r") {{ errors {{ code }} }} }}'
    )
    assert literal["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    not_a_number = gql(q, {"id": cid, "l": "12,5"}, Role.CREDIT_MANAGER)
    assert not_a_number["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    ok = gql(q, {"id": cid, "l": "2500.10"}, Role.CREDIT_MANAGER)["data"]["setCreditLimit"]
    assert ok == {"customer": {"credit": {"limit": "2500.10"}}, "errors": []}
    # An order line's unit price is a Decimal too.
    assert "errors" in gql(
        "mutation($i: SubmitOrderInput!) { submitOrder(input: $i) { errors { code } } }",
        {"i": {"customerId": cid, "externalRef": "PO-NUM", "lines": [{**line(), "unitPrice": 10}]}},
        Role.SALES,
    )
    assert submit(gql, cid, [line(price="10.00")])["errors"] == []


def test_every_error_code_and_scalar_is_described(gql) -> None:  # type: ignore[no-untyped-def]
    body = gql("""{ __schema { types { kind name description enumValues { name description } } } }""")
    types = {t["name"]: t for t in body["data"]["__schema"]["types"]}
    assert all(v["description"] for v in types["ErrorCode"]["enumValues"]), types["ErrorCode"]
    assert types["ErrorCode"]["description"]
    scalars = [t for t in types.values() if t["kind"] == "SCALAR"]
    assert {"DateTime", "Date", "Decimal", "JSON", "Upload"} <= {t["name"] for t in scalars}
    assert [t["name"] for t in scalars if not t["description"]] == []
    assert "UTC" in types["DateTime"]["description"] and "string" in types["Decimal"]["description"]


def test_every_error_has_a_code(app_client: TestClient, token_for, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for(Role.ADMIN)}"}

    def first_error(payload: dict) -> dict:
        response = app_client.post("/graphql", json=payload, headers=headers)
        assert response.status_code in (200, 400), response.text
        return response.json()["errors"][0]

    assert first_error({"query": "{ customers { nope } }"})["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert first_error({"query": "{ customers { "})["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    bad_variable = {"query": "query($f: Int) { customers(first: $f) { totalCount } }", "variables": {"f": "many"}}
    assert first_error(bad_variable)["extensions"]["code"] == "BAD_USER_INPUT"

    from services import customers as customer_service

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database exploded: secret internals")

    monkeypatch.setattr(customer_service, "create_customer", broken)
    create = 'mutation { createCustomer(input: {code: "X-ERR", legalName: "x", type: OTHER}) { errors { code } } }'
    with caplog.at_level(logging.INFO, logger="medcredit.graphql"):
        internal = first_error({"query": create})
        first_error({"query": "{ customers { nope } }"})
    assert internal == {**internal, "message": "Internal error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
    with_traceback = [r for r in caplog.records if r.exc_info]
    assert [r.levelno for r in with_traceback] == [logging.ERROR], "a traceback only for our own failure"
    assert "secret internals" not in str(internal)
