"""The GraphQL endpoint: strawberry's ASGI app with authentication at the door.

HTTP requests without a valid bearer token get 401 before any GraphQL runs; the
GraphiQL page itself is static and may load without one (its requests carry the
header). WebSocket clients authenticate with the upgrade request's header or, since
browsers cannot set headers there, with ``{"Authorization": "Bearer …"}`` in the
graphql-transport-ws ``connection_init`` payload.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cross_web import AsyncHTTPRequestAdapter
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api import graphiql, requestlog
from api.auth import Principal, principal_from_header
from api.metrics import GRAPHQL_LATENCY, GRAPHQL_REQUESTS, operation_label, outcome_of
from api.persisted_queries import PersistedQueries, PersistedQueryProblem
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


class MedcreditGraphQL(GraphQL[Context, None]):
    def __init__(self, *args: Any, graphiql_dir: Path, persisted_queries: PersistedQueries, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.graphiql_dir = graphiql_dir
        self.persisted_queries = persisted_queries

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
        if scope["type"] == "http":
            request = Request(scope, receive)
            if _user(scope) is None and not _wants_ide(request):
                GRAPHQL_REQUESTS.labels(operation="unknown", outcome="unauthenticated").inc()
                requestlog.current().update(outcome="unauthenticated")
                await JSONResponse(_UNAUTHENTICATED, status_code=401)(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        runtime = request.app.state.runtime
        return Context(request=request, response=response, runtime=runtime, user=_user(request.scope))

    async def on_ws_connect(self, context: Context) -> Any:
        if context.user is not None:
            return None
        params = context.connection_params
        header = None
        if isinstance(params, dict):
            header = params.get("Authorization") or params.get("authorization")
        principal = principal_from_header(context.runtime.settings.secret_key, header)
        if principal is None:
            raise ConnectionRejectionError({"message": "Authentication required"})
        context.user = principal
        return None
