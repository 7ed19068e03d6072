"""Cancelling an order before it ships: its reserved credit comes back exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from infra.events import record_events
from infra.runtime import Runtime
from services.errors import MAX_NOTE_CHARS, ErrorCode, invalid, too_long
from services.orders import APPROVED, CANCELLED, HELD, audit_row, order_event
from store import customers as customer_store
from store import orders as order_store
from store import shipments as store


async def cancel_order(
    rt: Runtime, order_id: ObjectId | None, note: str, *, actor: str, may_cancel_any: bool
) -> dict[str, Any]:
    """Cancel a HELD or APPROVED order that has not shipped or been invoiced.

    A salesperson cancels only orders they submitted (``may_cancel_any`` False); credit
    managers cancel any. An approved order's reserved amount is released exactly once:
    the status change is one conditional update, so two cancellations (or a cancellation
    and an invoice) cannot both release it.

    Raises:
        InvalidInput: empty note, unknown order, someone else's order, or an order that
            is decided otherwise, shipped or invoiced.
    """
    if not note.strip():
        raise invalid("A note is required to cancel an order.", ErrorCode.REQUIRED, "note")
    if problem := too_long(note, MAX_NOTE_CHARS, "note"):
        raise invalid(problem.message, problem.code, problem.field)
    order = await order_store.get_order(rt.db, order_id) if order_id is not None else None
    if order is None:
        raise invalid("No order with this id.", ErrorCode.NOT_FOUND, "id")
    if not may_cancel_any and order.get("submitted_by") != actor:
        raise invalid("Salespeople cancel only the orders they submitted.", ErrorCode.FORBIDDEN, "id")
    status = order["status"]
    if status not in (HELD, APPROVED):
        raise invalid(
            f"The order is {status}; only held or approved orders can be cancelled.", ErrorCode.INVALID_STATE, "id"
        )
    cancelled = await store.cancel_order(
        rt.db,
        order["_id"],
        status,
        {
            "status": CANCELLED,
            "decided_by": actor,
            "decision_note": note.strip(),
            "cancelled_at": datetime.now(UTC),
            "cancelled_from": status,
        },
    )
    if cancelled is None:
        current = await order_store.get_order(rt.db, order["_id"]) or order
        why = "its goods have shipped (record a credit note for a return)"
        if current.get("invoiced"):
            why = "it is invoiced (record a credit note instead)"
        elif current["status"] != status:
            why = f"it is {current['status']} now"
        raise invalid(f"The order cannot be cancelled: {why}.", ErrorCode.INVALID_STATE, "id")
    if status == APPROVED:
        await customer_store.change_reserved(rt.db, order["customer_id"], -order["amount"])
    await rt.audit.write(audit_row(cancelled, "ORDER_CANCELLED", actor, note.strip()))
    await record_events(rt.db, rt.redis, [order_event(cancelled)])
    return cancelled
