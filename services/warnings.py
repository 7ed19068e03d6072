"""Reading and acknowledging warnings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from common.roles import Role
from infra.runtime import Runtime
from scoring.codes import Severity
from services.errors import ErrorCode, invalid
from store import audit as audit_store
from store import warnings as store


async def list_warnings(
    rt: Runtime,
    *,
    customer_id: ObjectId | None = None,
    min_severity: Severity = Severity.INFO,
    active_only: bool = True,
) -> list[dict[str, Any]]:
    """Warnings at ``min_severity`` or above, of one customer when given, latest raised first, at most 500.

    Only unresolved ones unless ``active_only`` is False.
    """
    severities = [s.value for s in Severity if s >= min_severity]
    return await store.find_warnings(rt.db, customer_id=customer_id, severities=severities, active_only=active_only)


async def acknowledge_warning(
    rt: Runtime, warning_id: ObjectId | None, note: str | None, *, actor: str, roles: Iterable[Role]
) -> dict[str, Any]:
    """Record who saw the warning, when, and their note (kept in the audit trail).

    Only someone the warning is addressed to (one of its ``notify_roles``), or an
    ADMIN, may acknowledge it: an acknowledgement tells the others it is being handled.

    Raises:
        InvalidInput: no warning with this id, or one not addressed to the caller's roles.
    """
    warning = await store.get_warning(rt.db, warning_id) if warning_id is not None else None
    if warning is None:
        raise invalid("No warning with this id.", ErrorCode.NOT_FOUND, "id")
    held = {Role(r) if not isinstance(r, Role) else r for r in roles}
    told = {Role(r) for r in warning.get("notify_roles", [])}
    if Role.ADMIN not in held and not held & told:
        names = ", ".join(sorted(r.value for r in told)) or "ADMIN"
        raise invalid(
            f"This warning is addressed to {names}: only they (or an ADMIN) may acknowledge it.",
            ErrorCode.FORBIDDEN,
            "id",
        )
    now = datetime.now(UTC)
    updated = await store.update_warning(
        rt.db,
        warning["_id"],
        {"acknowledged_at": now, "acknowledged_by": actor, "acknowledge_note": note},
    )
    await rt.audit.write(
        audit_store.entry(
            warning["customer_id"],
            "WARNING_ACKNOWLEDGED",
            actor,
            {"warningId": str(warning["_id"]), "kind": warning["kind"], "note": note},
        )
    )
    assert updated is not None
    return updated
