"""Managing the channels: who is e-mailed per role, and the webhooks outside systems register."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from bson import ObjectId

from common.roles import Role
from infra.runtime import Runtime
from notifications.signing import new_secret
from scoring.codes import Severity
from services.errors import ErrorCode, InvalidInput, Problem, invalid
from store import audit as audit_store
from store import deliveries as store

# A plain address check: the SMTP server has the last word; this catches typing slips.
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
MAX_RECIPIENTS = 50
# Event types a webhook may ask for (infra.events and the services that record them).
EVENT_TYPES = frozenset(
    {
        "SCORE_CHANGED", "LIMIT_CHANGED", "LIMIT_PROPOSED", "WARNING_RAISED", "WARNING_CHANGED",
        "WARNING_RESOLVED", "CUSTOMER_BLOCKED", "CUSTOMER_UNBLOCKED", "ORDER_APPROVED", "ORDER_HELD",
        "ORDER_REJECTED", "DOCUMENT_STATUS", "CERTIFICATE_UPDATED", "CERTIFICATE_EXPIRED",
        "WEBHOOK_DISABLED", "COLLECTION_TASK_CHANGED", "RISK_SIGNAL_RECORDED",
    }
)  # fmt: skip


async def set_role_recipients(rt: Runtime, role: Role, emails: list[str], *, actor: str) -> list[str]:
    """Replace the addresses e-mailed for warnings that notify ``role``; returns them cleaned.

    Raises:
        InvalidInput: a malformed address, or too many.
    """
    cleaned = list(dict.fromkeys(e.strip() for e in emails if e.strip()))
    bad = [
        Problem(f"Not an e-mail address: {e!r}.", ErrorCode.INVALID, "emails") for e in cleaned if not _EMAIL.match(e)
    ]
    if len(cleaned) > MAX_RECIPIENTS:
        bad.append(Problem(f"At most {MAX_RECIPIENTS} addresses per role.", ErrorCode.INVALID, "emails"))
    if bad:
        raise InvalidInput(*bad)
    await store.set_role_recipients(rt.db, role.value, cleaned)
    await rt.audit.write(audit_store.entry(None, "ROLE_RECIPIENTS_SET", actor, {"role": role.value, "emails": cleaned}))
    return cleaned


async def create_webhook(
    rt: Runtime, url: str, min_severity: Severity, event_types: list[str], *, actor: str
) -> tuple[dict[str, Any], str]:
    """Register a webhook; returns it and its signing secret (shown this once only).

    Raises:
        InvalidInput: not an http(s) URL, or an unknown event type.
    """
    parts = urlsplit(url.strip())
    problems = []
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.append(Problem("The URL must be http:// or https:// with a host.", ErrorCode.INVALID, "url"))
    unknown = sorted(set(event_types) - EVENT_TYPES)
    if unknown:
        problems.append(Problem(f"Unknown event types: {', '.join(unknown)}.", ErrorCode.INVALID, "eventTypes"))
    if problems:
        raise InvalidInput(*problems)
    secret = new_secret()
    hook = await store.insert_webhook(
        rt.db,
        {
            "url": url.strip(),
            "min_severity": min_severity.value,
            "event_types": sorted(set(event_types)),
            # Kept to sign with: the receiver needs the same secret, so it cannot be a hash.
            "secret": secret,
            "disabled": False,
            "consecutive_failures": 0,
            "created_at": datetime.now(UTC),
            "created_by": actor,
            "deleted_at": None,
        },
    )
    await rt.audit.write(audit_store.entry(None, "WEBHOOK_CREATED", actor, {"url": hook["url"]}))
    return hook, secret


async def delete_webhook(rt: Runtime, oid: ObjectId | None, *, actor: str) -> dict[str, Any]:
    """Stop a webhook: nothing more is planned for it and its open deliveries end.

    Raises:
        InvalidInput: no such webhook (or deleted already).
    """
    hook = await store.get_webhook(rt.db, oid) if oid is not None else None
    if hook is None or hook.get("deleted_at") is not None:
        raise invalid("No webhook with this id.", ErrorCode.NOT_FOUND, "id")
    updated = await store.update_webhook(rt.db, hook["_id"], {"deleted_at": datetime.now(UTC)})
    await store.fail_open_deliveries_of_webhook(rt.db, hook["_id"], "webhook deleted")
    await rt.audit.write(audit_store.entry(None, "WEBHOOK_DELETED", actor, {"url": hook["url"]}))
    assert updated is not None
    return updated
