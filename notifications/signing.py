"""Webhook signatures: HMAC-SHA256 over the timestamp and the raw body.

The timestamp is signed with the body (``"<timestamp>.<body>"``) so a captured request
cannot be replayed later with a fresh timestamp header: receivers check both the
signature and that the timestamp is recent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Medcredit-Signature"
TIMESTAMP_HEADER = "X-Medcredit-Timestamp"
EVENT_ID_HEADER = "X-Medcredit-Event-Id"
PREFIX = "v1="


def new_secret() -> str:
    """A fresh signing secret (shown to the webhook's owner once)."""
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return PREFIX + mac.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is ours for this timestamp and body (constant-time compare)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
