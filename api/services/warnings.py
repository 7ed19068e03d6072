"""Reading and acknowledging warnings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from api.errors import ErrorCode, invalid
from api.runtime import Runtime
from api.store import warnings as store
from scoring.codes import Severity


async def list_warnings(
    rt: Runtime,
    *,
    customer_id: ObjectId | None = None,
    min_severity: Severity = Severity.INFO,
    active_only: bool = True,
) -> list[dict[str, Any]]:
    severities = [s.value for s in Severity if s >= min_severity]
    return await store.find_warnings(rt.db, customer_id=customer_id, severities=severities, active_only=active_only)


async def acknowledge_warning(
    rt: Runtime, warning_id: ObjectId | None, note: str | None, *, actor: str
) -> dict[str, Any]:
    """Record who saw the warning, when, and their note (kept in the audit trail).

    Raises:
        InvalidInput: no warning with this id.
    """
    warning = await store.get_warning(rt.db, warning_id) if warning_id is not None else None
    if warning is None:
        raise invalid("No warning with this id.", ErrorCode.NOT_FOUND, "id")
    now = datetime.now(UTC)
    updated = await store.update_warning(
        rt.db,
        warning["_id"],
        {"acknowledged_at": now, "acknowledged_by": actor, "acknowledge_note": note},
    )
    await rt.db.audit.insert_one(
        {
            "customer_id": warning["customer_id"],
            "action": "WARNING_ACKNOWLEDGED",
            "actor": actor,
            "at": now,
            "detail": {"warningId": str(warning["_id"]), "kind": warning["kind"], "note": note},
        }
    )
    assert updated is not None
    return updated
