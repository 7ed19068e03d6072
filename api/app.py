"""The ASGI application: explicit routes, middleware and lifespan, built in one place."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from api.auth import BearerTokenBackend
from api.bodylimit import BodyLimitMiddleware
from api.graphql_app import MedcreditGraphQL
from api.ratelimit import RateLimiter
from api.runtime import open_runtime
from api.settings import Settings, load_settings
from schema import build_schema

log = logging.getLogger("medcredit.api")


async def healthz(request: Request) -> JSONResponse:
    """The process is alive and serving."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """The database and the broker answer; orchestrators send traffic only then."""
    runtime = request.app.state.runtime
    database = await runtime.ping_database()
    broker = await runtime.ping_broker()
    ready = database and broker
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "database": database, "broker": broker},
        status_code=200 if ready else 503,
    )


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; nothing connects until the lifespan starts."""
    settings = settings or load_settings()
    graphql = MedcreditGraphQL(
        build_schema(
            depth_limit=settings.query_depth_limit, max_aliases=settings.max_aliases, max_tokens=settings.max_tokens
        ),
        multipart_uploads_enabled=True,
        rate_limiter=RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime:
            app.state.runtime = runtime
            yield

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
        ],
        middleware=[
            Middleware(
                BodyLimitMiddleware,
                max_upload_bytes=settings.max_upload_bytes,
                max_json_bytes=settings.max_json_bytes,
            ),
            Middleware(
                AuthenticationMiddleware, backend=BearerTokenBackend(settings.secret_key, settings.token_max_hours)
            ),
        ],
        lifespan=lifespan,
    )
