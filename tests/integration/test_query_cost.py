"""Query cost: alias and token limits refuse expensive requests before they run, lists
are capped, and each subject's request rate is limited with 429 and Retry-After."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from common.roles import Role

pytestmark = pytest.mark.integration


def test_two_hundred_aliases_are_refused_before_running(app_client, token_for) -> None:  # type: ignore[no-untyped-def]
    query = "{ " + " ".join(f"r{i}: riskReport {{ totalExposure }}" for i in range(200)) + " }"
    start = time.perf_counter()
    response = app_client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token_for(Role.VIEWER)}"}
    )
    elapsed = time.perf_counter() - start
    body = response.json()
    assert body.get("data") is None and "aliases" in body["errors"][0]["message"].lower()
    assert elapsed < 2.0, f"refusing took {elapsed:.2f} s"


def test_an_oversized_query_is_refused_by_its_token_count(gql) -> None:  # type: ignore[no-untyped-def]
    query = "{ riskReport { " + " ".join(["totalExposure"] * 3000) + " } }"
    body = gql(query)
    assert body.get("data") is None and "token" in body["errors"][0]["message"].lower()


def test_lists_take_a_capped_first(gql) -> None:  # type: ignore[no-untyped-def]
    data = gql("{ warnings(first: 100000) { id } expiringCertificates(withinDays: 90, first: 100000) { id } }")["data"]
    assert len(data["warnings"]) <= 500 and len(data["expiringCertificates"]) <= 500
    assert gql("{ warnings(first: 0) { id } }")["data"]["warnings"] == []


@pytest.fixture
def strict_client(settings) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    from api.app import create_app

    with TestClient(create_app(replace(settings, rate_limit_burst=3, rate_limit_per_second=1))) as client:
        yield client


def test_each_subject_is_rate_limited_with_retry_after(strict_client, token_for) -> None:  # type: ignore[no-untyped-def]
    def ask(subject: str):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {token_for(Role.VIEWER, subject=subject)}"}
        return strict_client.post("/graphql", json={"query": "{ warnings(first: 1) { id } }"}, headers=headers)

    assert [ask("greedy").status_code for _ in range(3)] == [200, 200, 200]
    refused = ask("greedy")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert ask("patient").status_code == 200, "another subject has its own allowance"
