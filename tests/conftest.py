"""Shared fixtures: a real MongoDB wire server, real Redis and the real ASGI app.

With ``MONGODB_URL`` set the suite runs against that server (a fresh database per
run); otherwise it starts the embedded server in a background thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.auth import mint_token
from common.roles import Role
from infra.embedded_db import EmbeddedMongo
from infra.eventhub import HubOptions
from infra.settings import Settings, load_settings
from tests.support.waiting import wait_until


class EmbeddedServerThread:
    """Runs the embedded database on its own event loop, as a separate server would."""

    def __init__(self, data_dir: Path) -> None:
        self._server = EmbeddedMongo(data_dir)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> str:
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self._server.start(), self._loop).result(30)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="session")
def mongodb_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("MONGODB_URL")
    if external:
        yield external
        return
    server = EmbeddedServerThread(tmp_path_factory.mktemp("embedded-db"))
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(scope="session")
def settings(mongodb_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("var")
    os.environ.setdefault("MEDCREDIT_SECRET", "test-secret-" + "x" * 40)
    base = load_settings()
    return replace(
        base,
        data_dir=data_dir,
        mongodb_url=mongodb_url,
        mongodb_db=f"medcredit_test_{uuid.uuid4().hex[:8]}",
        redis_url=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9"),
    )


@pytest.fixture(scope="session")
def app_client(settings: Settings) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="session")
def token_for(settings: Settings):  # type: ignore[no-untyped-def]
    def make(*roles: Role, subject: str = "tester") -> str:
        return mint_token(settings.secret_key, subject, roles, 1)

    return make


@pytest.fixture(scope="session")
def gql(app_client: TestClient, token_for):  # type: ignore[no-untyped-def]
    """POST a GraphQL operation as a caller with the given roles; returns the JSON body."""

    def call(
        query: str, variables: dict | None = None, *roles: Role, expect_status: int = 200, subject: str = "tester"
    ) -> dict:
        headers = {"Authorization": f"Bearer {token_for(*(roles or (Role.ADMIN,)), subject=subject)}"}
        response = app_client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == expect_status, response.text
        return response.json()

    return call


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class WorkerHandle:
    """A real Dramatiq worker on the real Redis broker, in this process's threads."""

    def __init__(self, broker, worker) -> None:  # type: ignore[no-untyped-def]
        self.broker = broker
        self.worker = worker

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Hold message processing, e.g. while importing history the way a migration would."""
        self.worker.pause()
        try:
            yield
        finally:
            self.worker.resume()

    def drain(self, timeout_ms: int = 60_000) -> None:
        """Wait until every queued message has been processed (dramatiq's join, no sleeps)."""
        for _ in range(3):  # actors may queue follow-up messages: drain until quiet
            self.broker.join("default", timeout=timeout_ms)
            self.worker.join()


@pytest.fixture(scope="session")
def worker(settings: Settings, app_client: TestClient) -> Iterator[WorkerHandle]:
    import dramatiq

    # The worker process reads its settings from the environment, as in production.
    os.environ.update(
        MONGODB_URL=settings.mongodb_url or "",
        MONGODB_DB=settings.mongodb_db,
        REDIS_URL=settings.redis_url,
        MEDCREDIT_DATA_DIR=str(settings.data_dir),
    )
    from workers import actors

    actors.broker.flush_all()
    handle = dramatiq.Worker(actors.broker, worker_threads=2)
    handle.start()
    yield WorkerHandle(actors.broker, handle)
    handle.stop()


class LiveServer:
    """The real ASGI app under uvicorn on a loopback port, for concurrency and WebSockets."""

    def __init__(self, settings: Settings, hub_options: HubOptions | None = None) -> None:
        import socket

        import uvicorn

        from api.app import create_app

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.app = create_app(settings, hub_options=hub_options)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws="websockets-sansio",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"

    def start(self) -> None:
        self.thread.start()

        def started() -> bool:
            if not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            return bool(self.server.started)

        wait_until(started, timeout=30, what="uvicorn to start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


@pytest.fixture(scope="session")
def live_server(settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()
