"""The GraphQL endpoint: strawberry's ASGI app with authentication at the door.

HTTP requests without a valid bearer token get 401 before any GraphQL runs; the
GraphiQL page itself is static and may load without one (its requests carry the
header). WebSocket clients authenticate with the upgrade request's header or, since
browsers cannot set headers there, with ``{"Authorization": "Bearer …"}`` in the
graphql-transport-ws ``connection_init`` payload.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cross_web import AsyncHTTPRequestAdapter
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api import graphiql, requestlog
from api.auth import Principal, principal_from_header
from api.inputguard import BadRequest, parse_json_body
from api.persisted_queries import PersistedQueries, PersistedQueryProblem
from api.ratelimit import RateLimiter
from infra.metrics import GRAPHQL_LATENCY, GRAPHQL_REQUESTS, operation_label, outcome_of
from schema.context import Context

_UNAUTHENTICATED = {
    "errors": [
        {
            "message": "Authentication required: send 'Authorization: Bearer <token>' "
            "(mint one with 'medcredit token').",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ]
}


def _user(scope: Scope) -> Principal | None:
    user = scope.get("user")
    return user if isinstance(user, Principal) else None


def _wants_ide(request: Request) -> bool:
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )


class OperationName(SchemaExtension):
    """Notes the operation's name (given, or read from the document) for metrics and the request log."""

    def on_execute(self) -> Iterator[None]:
        requestlog.current()["operation"] = self.execution_context.operation_name
        yield


def _count(result: ExecutionResult, seconds: float) -> None:
    """Metrics and the request log's fields for one executed operation."""
    operation_name = requestlog.current().get("operation")
    codes = [str((e.extensions or {}).get("code", "")) for e in result.errors or []]
    operation = operation_label(operation_name)
    outcome = outcome_of(codes)
    GRAPHQL_REQUESTS.labels(operation=operation, outcome=outcome).inc()
    GRAPHQL_LATENCY.labels(operation=operation).observe(seconds)
    requestlog.current().update(operation=operation_name, outcome=outcome, error_codes=codes or None)


def _too_many(wait: float) -> JSONResponse:
    seconds = max(1, math.ceil(wait))
    body = {
        "errors": [
            {
                "message": f"Too many requests: try again in {seconds} s.",
                "extensions": {"code": "RATE_LIMITED", "retryAfter": seconds},
            }
        ]
    }
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(seconds)})


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}, status_code=400)


def _replay(body: bytes) -> Receive:
    """A ``receive`` that hands the already-read body on to strawberry."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


@lru_cache(maxsize=256)
def _changes_data(query: str) -> bool:
    """Whether a GraphQL text holds a mutation (or cannot be told): those are never cancelled."""
    try:
        document = parse(query)
    except GraphQLError:
        return False  # strawberry answers the syntax error itself
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation is not OperationType.QUERY for d in document.definitions
    )


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


# Recent live results by identity, each held so its id is not reused while cached.
_RECENT_RESULTS = 64
_encoded: OrderedDict[int, tuple[object, str]] = OrderedDict()


def _shared_json(data: dict[str, Any]) -> str:
    found = _encoded.get(id(data))
    if found is not None and found[0] is data:
        return found[1]
    text = json.dumps(data, separators=(",", ":"))
    _encoded[id(data)] = (data, text)
    if len(_encoded) > _RECENT_RESULTS:
        _encoded.popitem(last=False)
    return text


class MedcreditGraphQL(GraphQL[Context, None]):
    def __init__(
        self,
        *args: Any,
        graphiql_dir: Path,
        persisted_queries: PersistedQueries,
        rate_limiter: RateLimiter | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.graphiql_dir = graphiql_dir
        self.persisted_queries = persisted_queries
        self._rate_limiter = rate_limiter

    def encode_json(self, data: object) -> str | bytes:
        """JSON for a response or WebSocket message; a live event's data is encoded once.

        Subscribers of one event and query shape share one result object
        (``schema.shared_results``), so its JSON is the same for all of them: with a
        thousand screens open, encoding it per screen cost more than sending it.
        """
        if isinstance(data, dict) and data.get("type") == "next" and isinstance(data.get("id"), str):
            payload = data.get("payload")
            if isinstance(payload, dict) and payload.keys() == {"data"} and isinstance(payload["data"], dict):
                encoded = _shared_json(payload["data"])
                return f'{{"id":{json.dumps(data["id"])},"type":"next","payload":{{"data":{encoded}}}}}'
        return super().encode_json(data)

    async def execute_single(  # noqa: PLR0917 - strawberry's signature
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Run one operation, after looking up or registering its persisted query."""
        started = time.perf_counter()
        resolved = self.persisted_queries.resolve(request_data.query, request_data.extensions)
        if isinstance(resolved, PersistedQueryProblem):
            sub_response.status_code = resolved.http_status
            error = GraphQLError(resolved.message, extensions={"code": resolved.code})
            result = ExecutionResult(data=None, errors=[error])
        else:
            request_data.query = resolved
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        _count(result, time.perf_counter() - started)
        return result

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our own GraphiQL page: files served by the app, token from a field on the page."""
        return graphiql.page(self.graphiql_dir)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        user = _user(scope)
        if user is None and not _wants_ide(request):
            GRAPHQL_REQUESTS.labels(operation="unknown", outcome="unauthenticated").inc()
            requestlog.current().update(outcome="unauthenticated")
            await JSONResponse(_UNAUTHENTICATED, status_code=401)(scope, receive, send)
            return
        if user is not None and self._rate_limiter is not None:
            wait = self._rate_limiter.acquire(user.subject)
            if wait > 0:
                await _too_many(wait)(scope, receive, send)
                return
        if request.method == "POST" and "json" in request.headers.get("content-type", ""):
            body = await request.body()  # capped by api.bodylimit already
            try:
                parsed = parse_json_body(body)
            except BadRequest as exc:
                await _bad_request(str(exc))(scope, receive, send)
                return
            query = parsed.get("query") if isinstance(parsed, dict) else None
            if isinstance(query, str) and not _changes_data(query):
                # A read whose client went away is stopped, not finished for nobody:
                # abandoned expensive queries kept the database busy for over a minute.
                await self._cancellable(scope, _replay(body), send, receive)
                return
            receive = _replay(body)
        await super().__call__(scope, receive, send)

    async def _cancellable(self, scope: Scope, receive: Receive, send: Send, client: Receive) -> None:
        work = asyncio.ensure_future(super().__call__(scope, receive, send))
        gone = asyncio.ensure_future(_until_disconnect(client))
        try:
            await asyncio.wait({work, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (work, gone):
                if not task.done():
                    task.cancel()
        if work.done() and not work.cancelled():
            work.result()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        runtime = request.app.state.runtime
        return Context(request=request, response=response, runtime=runtime, user=_user(request.scope))

    async def on_ws_connect(self, context: Context) -> Any:
        principal = context.user
        if principal is None:
            params = context.connection_params
            header = None
            if isinstance(params, dict):
                header = params.get("Authorization") or params.get("authorization")
            settings = context.runtime.settings
            principal = principal_from_header(settings.secret_key, header, max_hours=settings.token_max_hours)
        if principal is None:
            raise ConnectionRejectionError({"message": "Authentication required"})
        context.user = principal
        if isinstance(context.request, WebSocket) and principal.expires_at is not None:
            # A subscription lives as long as the socket: without this, a socket opened with
            # a token would keep receiving events long after the token expired.
            seconds = (principal.expires_at - datetime.now(UTC)).total_seconds()
            task = asyncio.create_task(_close_when_expired(context.request, seconds))
            _expiry_watches.add(task)
            task.add_done_callback(_expiry_watches.discard)
        return None


_expiry_watches: set[asyncio.Task[None]] = set()
# graphql-transport-ws has 4401 for "Unauthorized"; clients re-authenticate on it.
TOKEN_EXPIRED_CLOSE_CODE = 4401


async def _close_when_expired(websocket: WebSocket, seconds: float) -> None:
    await asyncio.sleep(max(seconds, 0))
    if websocket.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, OSError):
            await websocket.close(code=TOKEN_EXPIRED_CLOSE_CODE, reason="token expired")
