"""Real outside parties for notification tests: an SMTP server, an HTTP receiver, a notifier.

The SMTP server is aiosmtpd's, on a loopback port; the receiver is the standard
library's HTTP server. Both record what they got; tests wait for it with conditions,
never sleeps.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from infra.runtime import Runtime, open_runtime
from infra.settings import Settings
from services.notifications import Notifier


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server accepted, in order."""

    messages: list[EmailMessage] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.changed:
            self.messages.append(message)
            self.changed.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, predicate: Callable[[list[EmailMessage]], bool], timeout: float = 30) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: predicate(self.messages), timeout), "mail did not arrive"


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


class WebhookReceiver:
    """An HTTP endpoint that records every POST; ``start`` may come long after the port is chosen."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[Received] = []
        self.changed = threading.Condition()
        self.server: ThreadingHTTPServer | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.changed:
                    receiver.received.append(Received(dict(self.headers.items()), body))
                    receiver.changed.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.handler = Handler

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def wait_for(self, predicate: Callable[[list[Received]], bool], timeout: float = 30) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: predicate(self.received), timeout), "webhook did not arrive"


class NotifierThread:
    """A notifier on its own event loop and runtime, as the notifier process runs one."""

    def __init__(self, settings: Settings, **overrides: Any) -> None:
        self.settings = replace(settings, **overrides)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._stack: Any = None
        self.rt: Runtime
        self.notifier: Notifier

    def start(self) -> None:
        self.thread.start()

        async def open_() -> None:
            self._stack = open_runtime(self.settings)
            self.rt = await self._stack.__aenter__()
            self.notifier = Notifier.for_runtime(self.rt)

        self.call(open_())

    def call[T](self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def run_once(self, now: datetime | None = None) -> int:
        """Plan the new events and send what is due at ``now`` (default: the real now)."""
        return self.call(self.notifier.run_once(now))

    def stop(self) -> None:
        async def close() -> None:
            await self.notifier.aclose()
            await self._stack.__aexit__(None, None, None)

        self.call(close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
