"""Automatic persisted queries in Apollo's protocol: hash alone → PersistedQueryNotFound,
hash + query registers it, then the hash alone runs it (POST or GET); the store is bounded."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from common.roles import Role
from infra.settings import Settings
from tests.conftest import unique

pytestmark = pytest.mark.integration


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def apq(query: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


@pytest.fixture(scope="module")
def small_store_client(settings: Settings) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(replace(settings, persisted_queries=2))) as client:
        yield client


def test_apollo_round_trip_post_and_get(app_client: TestClient, gql, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for(Role.VIEWER)}"}
    region = unique("apq")
    gql(
        "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { errors { code } } }",
        {"i": {"code": unique("APQ"), "legalName": "持久查询医院", "type": "HOSPITAL", "region": region}},
    )
    query = f"query Apq($r: String) {{ customers(filter: {{region: $r}}) {{ totalCount }} }} # {region}"
    body = {"operationName": "Apq", "variables": {"r": region}, "extensions": apq(query)}

    miss = app_client.post("/graphql", json=body, headers=headers)
    assert miss.status_code == 200
    assert miss.json()["errors"] == [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
    registered = app_client.post("/graphql", json={**body, "query": query}, headers=headers)
    assert registered.json() == {"data": {"customers": {"totalCount": 1}}}
    hit = app_client.post("/graphql", json=body, headers=headers)
    assert hit.json() == {"data": {"customers": {"totalCount": 1}}}
    # Apollo's useGETForHashedQueries: everything in the query string.
    params = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in body.items()}
    got = app_client.get("/graphql", params=params, headers={**headers, "Accept": "application/json"})
    assert got.status_code == 200 and got.json() == {"data": {"customers": {"totalCount": 1}}}
    # The hash still needs a token.
    assert app_client.post("/graphql", json=body).status_code == 401


def test_a_query_that_does_not_match_its_hash_is_refused(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for(Role.VIEWER)}"}
    wrong = {"query": "{ riskReport { totalExposure } }", "extensions": apq("{ customers { totalCount } }")}
    response = app_client.post("/graphql", json=wrong, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    old_version = {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": sha("{ x }")}}}
    assert (
        app_client.post("/graphql", json=old_version, headers=headers).json()["errors"][0]["extensions"]["code"]
        == "PERSISTED_QUERY_NOT_SUPPORTED"
    )


def test_the_store_is_bounded_and_forgets_the_least_recently_used(small_store_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for(Role.VIEWER)}"}
    queries = [f"{{ customers(first: {n}) {{ totalCount }} }}" for n in (1, 2, 3)]

    def send(query: str, with_text: bool) -> dict:
        body = {"extensions": apq(query), **({"query": query} if with_text else {})}
        return dict(small_store_client.post("/graphql", json=body, headers=headers).json())

    for query in queries:
        assert "data" in send(query, with_text=True)
    assert send(queries[0], with_text=False)["errors"][0]["message"] == "PersistedQueryNotFound"
    assert "data" in send(queries[2], with_text=False) and "data" in send(queries[1], with_text=False)
