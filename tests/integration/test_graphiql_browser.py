"""GraphiQL in a real headless Chromium (Debian's ``chromium`` driven by Playwright) with
every request off this machine blocked: the page loads from the app alone, the token
typed into the page makes the first schema request succeed, a query and a subscription
run, and the token is remembered across a reload."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from common.roles import Role
from tests.conftest import LiveServer, unique

pytestmark = pytest.mark.integration

EDITOR = ".graphiql-query-editor .CodeMirror"
RESPONSE = ".graphiql-response .CodeMirror"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def browser_page(live_server: LiveServer) -> Iterator[tuple[object, list[str], list[tuple[str, int]]]]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is not installed: run make setup (scripts/bootstrap.sh installs it)"
    blocked: list[str] = []
    graphql_responses: list[tuple[str, int]] = []
    with sync_playwright() as playwright:
        # No name resolves except loopback, and any request to another host is aborted and noted.
        browser = playwright.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--no-sandbox"],
        )
        page = browser.new_page()
        page_errors: list[str] = []
        page.on("pageerror", lambda e: page_errors.append(str(e)))

        def gate(route) -> None:  # type: ignore[no-untyped-def]
            if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        page.route("**/*", gate)
        page.on(
            "response",
            lambda r: (
                graphql_responses.append((r.request.post_data or "", r.status))
                if urlsplit(r.url).path == "/graphql" and r.request.method == "POST"
                else None
            ),
        )
        yield page, blocked, graphql_responses
        browser.close()
        assert page_errors == [], "scripts on the page failed"


def _editor_value(page, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.evaluate("s => document.querySelector(s).CodeMirror.getValue()", selector))


def _run(page, query: str, expect: str) -> dict:  # type: ignore[no-untyped-def]
    page.evaluate("([s, q]) => document.querySelector(s).CodeMirror.setValue(q)", [EDITOR, query])
    page.click(".graphiql-execute-button")
    page.wait_for_function(
        "([s, text]) => { const cm = document.querySelector(s); return cm && cm.CodeMirror.getValue().includes(text); }",
        arg=[RESPONSE, expect],
        timeout=20_000,
    )
    return dict(json.loads(_editor_value(page, RESPONSE)))


def test_graphiql_works_offline_with_the_token_from_the_page(
    browser_page, live_server, gql, token_for, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page, blocked, graphql_responses = browser_page
    code = unique("IDE")
    created = gql(
        "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }",
        {"i": {"code": code, "legalName": "浏览器测试医院", "type": "HOSPITAL"}},
    )["data"]["createCustomer"]["customer"]
    gql(
        'mutation($id: ID!) { setCreditLimit(customerId: $id, limit: "1234.00", reason: "ide") { errors { code } } }',
        {"id": created["id"]},
    )

    page.goto(live_server.url + "/graphql")
    page.wait_for_selector("#token")
    assert "No token yet" in page.inner_text("#graphiql")
    page.fill("#token", token_for(Role.VIEWER, subject="ide-user"))
    page.click("#use-token")
    page.wait_for_selector(EDITOR)
    assert "ide-user (VIEWER)" in page.inner_text("#token-status")
    # The first request GraphiQL makes, the schema, already carries the token.
    page.wait_for_function("() => document.querySelector('.graphiql-doc-explorer-root, .graphiql-container') !== null")
    page.wait_for_function("() => !document.querySelector('.graphiql-spinner')", timeout=20_000)

    result = _run(
        page,
        f'{{ customers(first: 5, filter: {{search: "{code}"}}) {{ totalCount edges {{ node {{ id code }} }} }} }}',
        code,
    )
    assert result["data"]["customers"] == {"totalCount": 1, "edges": [{"node": {"id": created["id"], "code": code}}]}

    events = _run(
        page,
        f'subscription {{ riskEvents(customerId: "{created["id"]}", after: "0") {{ type customerId }} }}',
        "LIMIT_CHANGED",
    )
    assert events["data"]["riskEvents"] == {"type": "LIMIT_CHANGED", "customerId": created["id"]}
    page.screenshot(path=str(tmp_path / "graphiql.png"))

    assert graphql_responses, "GraphiQL sent its requests to the app"
    assert "__schema" in graphql_responses[0][0] or "IntrospectionQuery" in graphql_responses[0][0]
    assert [status for _, status in graphql_responses] == [200] * len(graphql_responses), "no 401 on the way"
    assert blocked == [], "the page asked for something outside this machine"

    # The token stays in this browser: a reload needs no typing.
    page.reload()
    page.wait_for_selector(EDITOR)
    assert "ide-user" in page.inner_text("#token-status")


def test_page_explains_missing_files_instead_of_hanging(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from api.app import create_app

    with TestClient(create_app(replace(settings, graphiql_dir=tmp_path / "none"))) as client:
        page = client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 503 and "fetch-graphiql.sh" in page.text
        assert client.get("/graphiql/graphiql.min.js").status_code == 404
