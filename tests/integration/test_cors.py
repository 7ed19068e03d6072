"""CORS: a browser app on another origin (a Vite dev server) may call the API and open
its WebSocket when its origin is listed in MEDCREDIT_CORS_ORIGINS, and only then."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from common.roles import Role
from infra.settings import Settings, SettingsError, load_settings

pytestmark = pytest.mark.integration
VITE = "http://localhost:5173"
PREFLIGHT = {
    "Origin": VITE,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type",
}


@pytest.fixture(scope="module")
def cors_client(settings: Settings) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(replace(settings, cors_origins=(VITE,)))) as client:
        yield client


def test_preflight_and_requests_from_a_listed_origin(cors_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    preflight = cors_client.options("/graphql", headers=PREFLIGHT)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == VITE
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()

    query = {"query": "{ customers(first: 1) { totalCount } }"}
    ok = cors_client.post(
        "/graphql", json=query, headers={"Origin": VITE, "Authorization": f"Bearer {token_for(Role.VIEWER)}"}
    )
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == VITE
    # The browser may read a 401 too, so the app can tell the user to sign in.
    refused = cors_client.post("/graphql", json=query, headers={"Origin": VITE})
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == VITE


def test_other_origins_get_no_cors_headers(cors_client: TestClient, app_client: TestClient) -> None:
    other = cors_client.options("/graphql", headers={**PREFLIGHT, "Origin": "http://evil.example"})
    assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
    # None by default.
    default = app_client.options("/graphql", headers=PREFLIGHT)
    assert "access-control-allow-origin" not in default.headers


def _ws_handshake(client: TestClient, origin: str, token: str) -> dict:
    # Host differs from Origin, as behind a Vite proxy with changeOrigin: true.
    headers = {"Origin": origin, "Host": "127.0.0.1:8000"}
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"], headers=headers) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        ack = ws.receive_json()
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": "subscription { riskEvents { id } }"}})
        ws.send_json({"id": "1", "type": "complete"})
        return ack


def test_websocket_origin_check_honours_the_same_list(
    cors_client: TestClient, app_client: TestClient, token_for
) -> None:  # type: ignore[no-untyped-def]
    token = token_for(Role.VIEWER)
    assert _ws_handshake(cors_client, VITE, token)["type"] == "connection_ack"
    for client, origin in ((cors_client, "http://evil.example"), (app_client, VITE)):
        with pytest.raises(WebSocketDisconnect) as refused:
            _ws_handshake(client, origin, token)
        assert refused.value.code in (1008, 403, 1006), refused.value


def test_a_malformed_origin_setting_is_refused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEDCREDIT_CORS_ORIGINS", "http://localhost:5173, localhost:5173/app")
    with pytest.raises(SettingsError):
        load_settings()
    monkeypatch.setenv("MEDCREDIT_CORS_ORIGINS", "http://localhost:5173, https://app.example.com")
    assert load_settings().cors_origins == ("http://localhost:5173", "https://app.example.com")
