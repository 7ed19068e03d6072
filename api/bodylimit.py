"""Request bodies are capped before anything parses them.

A declared ``Content-Length`` over the cap is refused at once with 413, unread; a
chunked body is counted as it streams and cut off with 413 the moment it passes the
cap. Multipart uploads may carry the upload limit plus a little for the form fields;
any other body (a GraphQL JSON request) gets a much smaller cap.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.errors import MedcreditError

# Room for the multipart form's own fields (operations, map) next to the file.
_MULTIPART_OVERHEAD = 1024 * 1024


class BodyTooLarge(MedcreditError):
    """The body passed its cap while being read."""


def _error(limit: int) -> bytes:
    message = f"The request body is larger than the limit of {limit} bytes."
    return json.dumps({"errors": [{"message": message, "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}).encode()


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_upload_bytes: int, max_json_bytes: int) -> None:
        self.app = app
        self.max_multipart = max_upload_bytes + _MULTIPART_OVERHEAD
        self.max_other = max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        limit = self.max_multipart if content_type.startswith("multipart/") else self.max_other
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = _error(limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
