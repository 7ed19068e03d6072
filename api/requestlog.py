"""One JSON log line and one latency sample per HTTP request, with a request id.

The id is the caller's ``X-Request-ID`` when it sends a sane one, else a new one; it
is echoed in the response header so a user's report can be found in the logs. Deeper
layers (the GraphQL endpoint) add the operation name and outcome to ``current()``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.metrics import HTTP_LATENCY

log = logging.getLogger("medcredit.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_current: ContextVar[dict[str, Any] | None] = ContextVar("medcredit_request", default=None)


def current() -> dict[str, Any]:
    """The fields of the request being served (empty outside a request); add to it freely."""
    fields = _current.get()
    return fields if fields is not None else {}


def _route(path: str) -> str:
    # A bounded label: the few paths we serve, everything else as "other".
    if path in ("/graphql", "/metrics", "/healthz", "/readyz"):
        return path
    if path.startswith("/graphiql/"):
        return "/graphiql"
    return "other"


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        fields: dict[str, Any] = {"request_id": request_id}
        token = _current.set(fields)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            # A WebSocket has no response head to stamp: its sends (every live event) go straight through.
            await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)
        finally:
            duration = time.perf_counter() - started
            user = scope.get("user")
            subject = getattr(user, "subject", None)
            path = scope.get("path", "")
            method = scope.get("method", "WS")
            if scope["type"] == "http":
                HTTP_LATENCY.labels(route=_route(path), method=method, status=str(status)).observe(duration)
            if path != "/metrics" and not path.startswith("/graphiql/"):
                log.info(
                    "%s %s %s",
                    method,
                    path,
                    status if scope["type"] == "http" else "closed",
                    extra={
                        **fields,
                        "method": method,
                        "path": path,
                        "status": status if scope["type"] == "http" else None,
                        "subject": subject,
                        "duration_ms": round(duration * 1000, 1),
                    },
                )
            _current.reset(token)
