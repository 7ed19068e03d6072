"""Keeping a customer's warnings in step with what the warning ladder says now.

The ladder (``scoring.warnings``) says which warnings should be active; this raises the
new ones, escalates or eases changed ones, resolves those whose cause went away and
sets ``blocked`` when any active warning blocks the customer. Every change is an event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from infra import ids
from infra.events import record_event
from infra.runtime import Runtime
from scoring.codes import Severity
from scoring.warnings import WarningSpec
from store import warnings as store
from store.batch import WriteBatch


def _fields(spec: WarningSpec) -> dict[str, Any]:
    return {
        "severity": spec.severity.value,
        "message": spec.message,
        "notify_roles": [r.value for r in spec.notify_roles],
        "blocks": spec.blocks_customer,
    }


async def sync_warnings(
    rt: Runtime,
    customer: dict[str, Any],
    specs: Sequence[WarningSpec],
    *,
    active_warnings: Sequence[dict[str, Any]],
    writes: WriteBatch,
) -> bool:
    """Make the customer's ``active_warnings`` (as loaded under its credit lock) match ``specs``.

    The changes are staged in ``writes``. Returns whether the customer is blocked.
    """
    oid, now = customer["_id"], datetime.now(UTC)
    active = {w["kind"]: w for w in active_warnings}
    wanted = {spec.kind: spec for spec in specs}
    for kind, spec in wanted.items():
        current = active.get(kind)
        fields = _fields(spec)
        if current is None:
            doc = {
                **fields,
                "_id": ObjectId(),
                "customer_id": oid,
                "kind": kind,
                "active_key": store.active_key(oid, kind),
                "raised_at": now,
                "acknowledged_at": None,
                "resolved_at": None,
            }
            store.stage_insert(writes, doc)
            await _event(rt, "WARNING_RAISED", spec.severity, doc)
        elif any(current.get(k) != v for k, v in fields.items()):
            changes = {**fields, "updated_at": now}
            store.stage_update(writes, current["_id"], changes)
            await _event(rt, "WARNING_CHANGED", spec.severity, {**current, **changes})
    for kind, current in active.items():
        if kind not in wanted:
            store.stage_update(writes, current["_id"], {"resolved_at": now}, unset=("active_key",))
            await _event(rt, "WARNING_RESOLVED", Severity.INFO, current)
    return any(spec.blocks_customer for spec in specs)


async def _event(rt: Runtime, type_: str, severity: Severity, warning: dict[str, Any]) -> None:
    await record_event(
        rt.db,
        rt.redis,
        type_,
        severity,
        warning["customer_id"],
        {
            "warningId": ids.encode_id("Warning", warning["_id"]),
            "kind": warning["kind"],
            "severity": warning["severity"],
            "message": warning["message"],
            "notifyRoles": warning["notify_roles"],
        },
    )
