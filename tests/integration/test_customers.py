"""Customers over GraphQL: creation rules, validation errors and cursor pagination."""

from __future__ import annotations

import random

import pytest

from common.roles import Role
from tests.conftest import unique
from tests.support.uscc import make_uscc

pytestmark = pytest.mark.integration

CREATE = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { id code legalName uscc type region attributes blocked
               credit { limit exposure available paymentTermDays
                        aging { current d1to30 d31to60 d61to90 over90 } }
               certificates { id } risk { score } warnings { id } }
    errors { field message code }
  }
}"""

PAGE = """
query($first: Int, $after: String, $filter: CustomerFilter) {
  customers(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id code } }
  }
}"""


def create(gql, **fields):  # type: ignore[no-untyped-def]
    payload = {
        "code": unique("C"),
        "legalName": "江苏康联医疗器械有限公司",
        "type": "DISTRIBUTOR",
        **fields,
    }
    return gql(CREATE, {"input": payload})["data"]["createCustomer"]


def test_create_customer_returns_it_with_honest_empty_risk_fields(gql) -> None:  # type: ignore[no-untyped-def]
    code = make_uscc(random.Random())
    result = create(gql, uscc=code, region="江苏", creditLimit="125000.5", attributes={"tier": "gold"})
    assert result["errors"] == []
    customer = result["customer"]
    assert customer["id"].startswith("cus_")
    assert customer["uscc"] == code
    assert customer["attributes"] == {"tier": "gold"}
    assert customer["credit"]["limit"] == "125000.50"
    assert customer["credit"]["available"] == "125000.50"
    assert customer["credit"]["paymentTermDays"] == 60
    assert customer["certificates"] == [] and customer["warnings"] == []
    assert customer["risk"] is None and customer["blocked"] is False


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"uscc": "91110105MA01ABCD2X"}, "uscc", "INVALID_CHECKSUM"),
        ({"legalName": "   "}, "legalName", "REQUIRED"),
        ({"creditLimit": "-1"}, "creditLimit", "NEGATIVE_AMOUNT"),
        ({"paymentTermDays": -5}, "paymentTermDays", "INVALID"),
        ({"attributes": [1, 2]}, "attributes", "INVALID"),
    ],
)
def test_invalid_customer_gets_user_error_and_is_not_stored(gql, fields, field, code) -> None:  # type: ignore[no-untyped-def]
    customer_code = unique("BAD")
    result = create(gql, code=customer_code, **fields)
    assert result["customer"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    found = gql(PAGE, {"filter": {"search": customer_code}})["data"]["customers"]
    assert found["totalCount"] == 0


def test_duplicate_code_and_duplicate_uscc_are_rejected(gql) -> None:  # type: ignore[no-untyped-def]
    code, credit_code = unique("DUP"), make_uscc(random.Random())
    assert create(gql, code=code, uscc=credit_code)["errors"] == []
    again = create(gql, code=code)
    assert [(e["field"], e["code"]) for e in again["errors"]] == [("code", "DUPLICATE")]
    same_uscc = create(gql, uscc=credit_code)
    assert [(e["field"], e["code"]) for e in same_uscc["errors"]] == [("uscc", "DUPLICATE")]


def test_customers_without_credit_code_do_not_clash(gql) -> None:  # type: ignore[no-untyped-def]
    assert create(gql)["errors"] == []
    assert create(gql)["errors"] == []


def test_cursor_pagination_walks_every_match_once(gql) -> None:  # type: ignore[no-untyped-def]
    region = unique("region")
    made = {create(gql, region=region, type="HOSPITAL")["customer"]["code"] for _ in range(7)}
    create(gql, region=region, type="AGENT")
    seen: list[str] = []
    after = None
    while True:
        page = gql(PAGE, {"first": 3, "after": after, "filter": {"region": region, "type": "HOSPITAL"}})
        conn = page["data"]["customers"]
        assert conn["totalCount"] == 7
        seen += [edge["node"]["code"] for edge in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(made)


def test_customer_and_node_lookup_and_malformed_ids(gql) -> None:  # type: ignore[no-untyped-def]
    customer = create(gql)["customer"]
    query = "query($id: ID!) { customer(id: $id) { code } node(id: $id) { id ... on Customer { legalName } } }"
    found = gql(query, {"id": customer["id"]})["data"]
    assert found["customer"]["code"] == customer["code"]
    assert found["node"]["id"] == customer["id"]
    for bad in ["nonsense", "cus_123", "ord_" + customer["id"][4:]]:
        body = gql(query, {"id": bad})
        assert body["data"] == {"customer": None, "node": None}
        assert "errors" not in body


def test_viewer_may_read_but_not_create(gql) -> None:  # type: ignore[no-untyped-def]
    body = gql(
        CREATE,
        {"input": {"code": unique("V"), "legalName": "x", "type": "OTHER"}},
        Role.VIEWER,
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert gql(PAGE, {"first": 1}, Role.VIEWER)["data"]["customers"]["totalCount"] >= 0
