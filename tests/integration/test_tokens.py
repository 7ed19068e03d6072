"""Tokens and sessions: exp required and capped, WebSockets closed at expiry; event payloads
carry who changed a limit and why only to those who may read the audit log."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from websockets.exceptions import ConnectionClosed

from api.auth import mint_token
from common.roles import Role
from tests.integration.test_subscriptions import new_customer, next_data, open_subscription, subscribed

pytestmark = pytest.mark.integration

ME = "{ riskReport { totalExposure } }"


def _raw(settings, **claims) -> str:  # type: ignore[no-untyped-def]
    base = {"iss": "medcredit", "sub": "mallory", "roles": ["ADMIN"], "iat": datetime.now(UTC)}
    return jwt.encode({**base, **claims}, settings.secret_key, algorithm="HS256")


def test_a_token_needs_exp_and_a_capped_lifetime(app_client, settings) -> None:  # type: ignore[no-untyped-def]
    def status(token: str) -> int:
        return app_client.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}).status_code

    now = datetime.now(UTC)
    assert status(_raw(settings)) == 401, "no exp: refused"
    assert status(_raw(settings, exp=now + timedelta(hours=876_000))) == 401, "a century: refused"
    assert status(_raw(settings, exp=now + timedelta(hours=settings.token_max_hours + 1))) == 401
    assert status(_raw(settings, exp=now - timedelta(seconds=5))) == 401, "expired"
    assert status(_raw(settings, exp=now + timedelta(hours=1))) == 200


def test_the_cli_refuses_a_lifetime_over_the_maximum(settings) -> None:  # type: ignore[no-untyped-def]
    argv = [sys.executable, "-m", "api.cli", "token", "--subject", "x", "--role", "ADMIN"]
    refused = subprocess.run([*argv, "--hours", "876000"], capture_output=True, text=True, check=False)
    assert refused.returncode == 2 and "MEDCREDIT_TOKEN_MAX_HOURS" in refused.stderr
    ok = subprocess.run([*argv, "--hours", "8"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and ok.stdout.count(".") == 2


def test_an_open_websocket_is_closed_when_its_token_expires(live_server, settings) -> None:  # type: ignore[no-untyped-def]
    token = mint_token(settings.secret_key, "walter", [Role.VIEWER], 3 / 3600)  # three seconds

    async def scenario() -> int | None:
        ws = await open_subscription(live_server.ws_url, token, "subscription { riskEvents { id } }", {})
        try:
            while True:  # events may arrive until the token runs out; then the server closes
                await asyncio.wait_for(ws.recv(), 15)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None

    assert asyncio.run(scenario()) == 4401


@pytest.mark.parametrize(("role", "sees_who"), [(Role.SALES, False), (Role.VIEWER, False), (Role.FINANCE, True)])
def test_limit_change_events_show_who_and_why_only_to_audit_readers(  # type: ignore[no-untyped-def]
    gql, live_server, token_for, role, sees_who
) -> None:
    cid = new_customer(gql)
    query = "subscription($c: ID) { riskEvents(customerId: $c) { type payload } }"

    async def scenario() -> dict:
        ws = await subscribed(live_server, token_for(role), query, {"c": cid})
        try:
            change = 'mutation($id: ID!) { setCreditLimit(customerId: $id, limit: "7", reason: "fraud suspicion") { errors { code } } }'
            await asyncio.to_thread(gql, change, {"id": cid}, Role.CREDIT_MANAGER)
            while True:
                event = (await next_data(ws))["riskEvents"]
                if event["type"] == "LIMIT_CHANGED" and event["payload"]["after"] == "7.00":
                    return event["payload"]
        finally:
            await ws.close()

    payload = asyncio.run(scenario())
    assert payload["before"] == "50000.00"
    assert ("reason" in payload, "actor" in payload) == (sees_who, sees_who)
    if sees_who:
        assert payload["reason"] == "fraud suspicion"


def test_the_data_directory_is_private_from_the_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import stat

    from infra.embedded_db import EmbeddedMongo

    async def scenario() -> None:
        server = EmbeddedMongo(tmp_path / "var" / "db")
        await server.start()
        await server.stop()

    old = os.umask(0o022)  # a permissive umask, as on a default shell
    try:
        asyncio.run(scenario())
    finally:
        os.umask(old)
    folder = tmp_path / "var" / "db"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files), [
        (f.name, oct(f.stat().st_mode)) for f in files
    ]
