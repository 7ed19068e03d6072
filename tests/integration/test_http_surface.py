"""The HTTP surface: authentication at the door, health probes, depth limit, no tracebacks."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from common.roles import Role

pytestmark = pytest.mark.integration


def test_graphql_without_token_is_401(app_client: TestClient) -> None:
    response = app_client.post("/graphql", json={"query": "{ customers { totalCount } }"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_forged_or_malformed_tokens_are_401(app_client: TestClient) -> None:
    from api.auth import mint_token

    forged = mint_token("another-secret-" + "y" * 40, "mallory", [Role.ADMIN], 1)
    for header in [f"Bearer {forged}", "Bearer not.a.jwt", "Basic abc", "Bearer"]:
        response = app_client.post(
            "/graphql",
            json={"query": "{ customers { totalCount } }"},
            headers={"Authorization": header},
        )
        assert response.status_code == 401, header


def test_graphiql_page_loads_in_a_browser(app_client: TestClient) -> None:
    response = app_client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_health_and_readiness(app_client: TestClient) -> None:
    assert app_client.get("/healthz").json() == {"status": "ok"}
    ready = app_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": True, "broker": True}


def test_query_depth_is_limited(gql) -> None:  # type: ignore[no-untyped-def]
    deep = "{ customers { edges { node { certificates { sourceDocument { customer { certificates { sourceDocument { customer { certificates { sourceDocument { customer { code } } } } } } } } } } } } }"
    body = gql(deep)
    assert body["data"] is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_malformed_requests_get_clear_errors_not_500(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for(Role.ADMIN)}"}
    cases = [
        {"query": "{ customers { nope } }"},
        {"query": "mutation { createCustomer(input: {code: 1}) { errors { message } } }"},
        {
            "query": "query($f: Int) { customers(first: $f) { totalCount } }",
            "variables": {"f": "many"},
        },
        {"query": '{ customers(first: 5, after: "%%%") { totalCount } }'},
    ]
    for payload in cases:
        response = app_client.post("/graphql", json=payload, headers=headers)
        assert response.status_code in (200, 400), response.text
        assert "Traceback" not in response.text
    garbage = app_client.post("/graphql", content=b"{not json", headers={**headers, "Content-Type": "application/json"})
    assert garbage.status_code == 400
