"""The two ways a notification leaves the system: an e-mail over SMTP, a signed webhook POST.

Both raise ``DeliveryFailed`` with a short reason for anything the delivery loop should
record and retry (refused connection, timeout, an SMTP or HTTP error status).
"""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import unquote, urlsplit

import httpx

from common.errors import MedcreditError
from notifications.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign


class DeliveryFailed(MedcreditError):
    """This attempt did not deliver; the message says why (kept as ``lastError``)."""


class SmtpMailer:
    """Sends one message per call to the server ``smtp://[user:password@]host[:port]``.

    ``smtps://`` connects over TLS; ``smtp://...?starttls=1`` upgrades the connection.
    """

    def __init__(self, url: str, sender: str, *, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("MEDCREDIT_SMTP_URL must look like smtp://host:25 or smtps://user:pass@host:465")
        self.tls = parts.scheme == "smtps"
        self.starttls = "starttls=1" in parts.query or "starttls=true" in parts.query
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout

    def _message(self, to: str, subject: str, body: str, message_id: str, headers: dict[str, str]) -> EmailMessage:
        message = EmailMessage()
        message["From"] = formataddr(("medcredit 信用风险", self.sender))
        message["To"] = to
        message["Subject"] = subject
        # A stable id per delivery: a retried send after a lost reply is recognisable as the same mail.
        message["Message-ID"] = f"<{hashlib.sha256(message_id.encode()).hexdigest()[:32]}@medcredit>"
        for name, value in headers.items():
            message[name] = value
        message.set_content(body, charset="utf-8")
        return message

    def _send(self, message: EmailMessage) -> None:
        smtp: smtplib.SMTP
        if self.tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)

    async def send(
        self, to: str, subject: str, body: str, *, message_id: str, headers: dict[str, str] | None = None
    ) -> None:
        """Hand the message to the SMTP server; returns once the server accepted it."""
        try:
            await asyncio.to_thread(self._send, self._message(to, subject, body, message_id, headers or {}))
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"SMTP: {type(exc).__name__}: {exc}"[:300]) from None


class WebhookSender:
    """POSTs signed JSON bodies; any 2xx answer is a delivery."""

    def __init__(self, *, timeout: float = 10.0) -> None:
        self.client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def post(self, url: str, secret: str, event_id: str, body: bytes) -> None:
        """POST ``body`` to ``url`` with the event id, a timestamp and the signature made with ``secret``.

        Raises:
            DeliveryFailed: a network error or an answer other than 2xx (redirects are not followed).
        """
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            EVENT_ID_HEADER: event_id,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, timestamp, body),
            "User-Agent": "medcredit-webhooks/1",
        }
        try:
            response = await self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"HTTP: {type(exc).__name__}: {exc}"[:300]) from None
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"HTTP {response.status_code}")

    async def aclose(self) -> None:
        """Close the HTTP client and its connections."""
        await self.client.aclose()
