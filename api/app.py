"""The ASGI application: explicit routes, middleware and lifespan, built in one place."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from api import graphiql
from api.auth import BearerTokenBackend
from api.bodylimit import BodyLimitMiddleware
from api.graphql_app import MedcreditGraphQL, OperationName
from api.persisted_queries import PersistedQueries
from api.ratelimit import RateLimiter
from api.reports import routes as report_routes
from api.requestlog import RequestLogMiddleware
from infra.eventhub import HubOptions, running_hub
from infra.metrics import metrics
from infra.runtime import open_runtime
from infra.settings import Settings, load_settings
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


def create_app(settings: Settings | None = None, *, hub_options: HubOptions | None = None) -> Starlette:
    """Build the app; nothing connects until the lifespan starts."""
    settings = settings or load_settings()
    graphql = MedcreditGraphQL(
        build_schema(
            depth_limit=settings.query_depth_limit,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            extra_extensions=[OperationName],
        ),
        multipart_uploads_enabled=True,
        # The WebSocket handshake honours the same origins as CORS (browsers skip CORS there).
        allowed_origins=settings.cors_origins,
        graphiql_dir=settings.graphiql_dir,
        persisted_queries=PersistedQueries(settings.persisted_queries),
        rate_limiter=RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime, running_hub(runtime.db, runtime.redis, hub_options) as hub:
            app.state.runtime = runtime
            # One Redis subscription per process, fanned out to every open subscription.
            app.state.event_hub = hub
            yield

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *graphiql.routes(settings.graphiql_dir),
            *report_routes.routes(),
        ],
        middleware=[
            Middleware(RequestLogMiddleware),
            # Outermost but for the request log, so preflights are answered before authentication and every
            # answer, a 401 included, carries the headers a browser needs to read it.
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
                max_age=600,
            ),
            # Bodies are capped before anything reads them (a 413, never a parse of 200 MB).
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
