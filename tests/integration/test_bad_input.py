"""Bad input is a 400 (or a user error) with a clear message, never a 500."""

from __future__ import annotations

import json

import pytest

from common.roles import Role
from tests.conftest import unique

pytestmark = pytest.mark.integration

CREATE = """mutation($i: CreateCustomerInput!) { createCustomer(input: $i) {
  customer { id } errors { field code message } } }"""


def _post(app_client, token_for, body: bytes):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for(Role.ADMIN)}", "Content-Type": "application/json"}
    return app_client.post("/graphql", content=body, headers=headers)


def _customer(**fields: object) -> dict:
    return {"code": unique("BI"), "legalName": "广州医疗器械有限公司", "type": "HOSPITAL", **fields}


def test_invalid_utf8_in_the_body_or_a_variable_is_a_400(app_client, token_for) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"query": CREATE, "variables": {"i": _customer(legalName="XX")}}).encode()
    for broken in (b"\xff\xfe" + body, body.replace(b'"XX"', b'"\xc3\x28"')):
        response = _post(app_client, token_for, broken)
        assert response.status_code == 400
        assert "not valid UTF-8" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("depth", [50_000, 100])
def test_deeply_nested_json_is_a_400(app_client, token_for, depth) -> None:  # type: ignore[no-untyped-def]
    nested = '{"a":' * depth + "1" + "}" * depth
    body = '{"query": %s, "variables": {"i": {"code": "X", "legalName": "Y", "type": "HOSPITAL", "attributes": %s}}}'
    response = _post(app_client, token_for, (body % (json.dumps(CREATE), nested)).encode())
    assert response.status_code == 400
    assert "nested more than" in response.json()["errors"][0]["message"]


def test_not_json_is_a_400(app_client, token_for) -> None:  # type: ignore[no-untyped-def]
    response = _post(app_client, token_for, b'{"query": ')
    assert response.status_code == 400 and "not valid JSON" in response.json()["errors"][0]["message"]


def test_oversized_strings_are_refused(app_client, gql, token_for) -> None:  # type: ignore[no-untyped-def]
    huge = json.dumps({"query": CREATE, "variables": {"i": _customer(legalName="名" * 10_000_000)}}).encode()
    assert len(huge) > 1024 * 1024
    assert _post(app_client, token_for, huge).status_code == 413  # past the body cap: never parsed
    big = json.dumps({"query": CREATE, "variables": {"i": _customer(legalName="名" * 20_000)}}).encode()
    assert _post(app_client, token_for, big).status_code == 400
    for fields, field in (
        ({"legalName": "名" * 201}, "legalName"),
        ({"code": "C" * 65}, "code"),
        ({"attributes": {"note": "x" * 501}}, "attributes"),
    ):
        result = gql(CREATE, {"i": _customer(**fields)})["data"]["createCustomer"]
        assert result["customer"] is None and [(e["field"], e["code"]) for e in result["errors"]] == [
            (field, "TOO_LONG")
        ]
    shallow = gql(CREATE, {"i": _customer(attributes={"a": {"b": {"c": {"d": 1}}}})})["data"]["createCustomer"]
    assert [e["field"] for e in shallow["errors"]] == ["attributes"]
    fits = gql(CREATE, {"i": _customer(legalName="名" * 200, attributes={"tier": "gold"})})["data"]["createCustomer"]
    assert fits["errors"] == []


def test_limits_are_stated_in_the_schema(gql) -> None:  # type: ignore[no-untyped-def]
    q = '{ __type(name: "CreateCustomerInput") { inputFields { name description } } }'
    fields = {f["name"]: f["description"] for f in gql(q)["data"]["__type"]["inputFields"]}
    assert "200 characters" in fields["legalName"] and "64 characters" in fields["code"]
