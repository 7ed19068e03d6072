"""Limit requests with four eyes: anyone in sales, finance or credit asks; a credit
manager (or admin) who is not the requester decides.

The scorecard's increases beyond the automatic step arrive here as the customer's one
pending system request. An approved request with ``valid_until`` is a temporary limit:
the customer's previous limit comes back by itself on that day (the daily rescoring
ends it, with a LIMIT_TEMPORARY_ENDED event).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bson import ObjectId

from infra import ids
from infra.events import record_event
from infra.runtime import Runtime
from scoring.codes import Severity
from scoring.money import CENT
from services.credit import locked_customer
from services.customers import require_customer
from services.errors import MAX_NOTE_CHARS, ErrorCode, InvalidInput, Problem, amount_problem, invalid, too_long
from services.rescoring import record_limit_change
from store import customers as customer_store
from store import dates
from store import limit_requests as store
from store.batch import WriteBatch

ZERO = Decimal("0.00")
PENDING, APPROVED, DECLINED = "PENDING", "APPROVED", "DECLINED"


def _payload(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "limitRequestId": ids.encode_id("LimitRequest", doc["_id"]),
        "current": doc["current"],
        "requested": doc["requested"],
        "reason": doc["reason"],
        "requestedBy": doc["requested_by"],
        "validUntil": doc["valid_until"].date().isoformat() if doc.get("valid_until") else None,
        "status": doc["status"],
        "decidedBy": doc.get("decided_by"),
    }


async def request_limit(
    rt: Runtime,
    customer_id: ObjectId | None,
    limit: Decimal,
    reason: str,
    valid_until: date | None,
    *,
    actor: str,
    today: date,
) -> dict[str, Any]:
    """Ask for a limit (temporary when ``valid_until`` is given); nothing changes until approved.

    Raises:
        InvalidInput: unknown customer, negative or fractional-cent limit, empty reason,
            or a temporary limit ending today or earlier.
    """
    problems: list[Problem] = []
    if problem := amount_problem(limit, "limit", label="Limit", zero_allowed=True):
        problems.append(problem)
    if not reason.strip():
        problems.append(Problem("A reason is required for every limit request.", ErrorCode.REQUIRED, "reason"))
    elif problem := too_long(reason, MAX_NOTE_CHARS, "reason"):
        problems.append(problem)
    if valid_until is not None and valid_until <= today:
        problems.append(Problem("A temporary limit must end after today.", ErrorCode.INVALID_DATE_RANGE, "validUntil"))
    if problems:
        raise InvalidInput(*problems)
    customer = await require_customer(rt.db, customer_id)
    doc = {
        "_id": ObjectId(),
        "customer_id": customer["_id"],
        "current": customer.get("credit_limit", ZERO),
        "requested": limit.quantize(CENT),
        "reason": reason.strip(),
        "requested_by": actor,
        "valid_until": dates.to_bson(valid_until),
        "status": PENDING,
        "created_at": datetime.now(UTC),
    }
    await store.insert_request(rt.db, doc)
    await record_event(rt.db, rt.redis, "LIMIT_REQUESTED", Severity.LOW, customer["_id"], _payload(doc))
    return doc


def propose_from_scorecard(
    customer: dict[str, Any],
    proposed: Decimal,
    reason: str,
    *,
    pending: dict[str, Any] | None,
    writes: WriteBatch,
) -> bool:
    """Keep the scorecard's increase beyond the step as the customer's one pending system
    request (``pending``: the one it has now, if any), staged in ``writes``; returns
    whether it is new or changed (the caller raises LIMIT_PROPOSED then)."""
    current = customer.get("credit_limit", ZERO)
    if pending is not None:
        if pending["requested"] == proposed and pending["current"] == current:
            return False
        store.stage_update_pending(
            writes, pending["_id"], {"requested": proposed, "current": current, "reason": reason}
        )
        return True
    store.stage_insert(
        writes,
        {
            "_id": ObjectId(),
            "customer_id": customer["_id"],
            "current": current,
            "requested": proposed,
            "reason": reason,
            "requested_by": store.SYSTEM_REQUESTER,
            "valid_until": None,
            "status": PENDING,
            "created_at": datetime.now(UTC),
        },
    )
    return True


def withdraw_scorecard_proposal(pending: dict[str, Any] | None, why: str, *, writes: WriteBatch) -> None:
    """The scorecard no longer asks for more (the score fell back): its ``pending`` ask
    lapses (staged in ``writes``)."""
    if pending is not None:
        store.stage_update_pending(
            writes,
            pending["_id"],
            {
                "status": DECLINED,
                "decided_by": store.SYSTEM_REQUESTER,
                "decision_note": why,
                "decided_at": datetime.now(UTC),
            },
        )


async def decide_request(
    rt: Runtime, request_id: ObjectId | None, note: str, *, approve: bool, actor: str, today: date
) -> dict[str, Any]:
    """Approve (apply the limit) or decline a pending request; never by its requester.

    Raises:
        InvalidInput: empty note, unknown or decided request, the requester deciding
            (FORBIDDEN), or a temporary limit whose day has passed.
    """
    if not note.strip():
        raise invalid("A note is required for every decision.", ErrorCode.REQUIRED, "note")
    if problem := too_long(note, MAX_NOTE_CHARS, "note"):
        raise InvalidInput(problem)
    request = await store.get_request(rt.db, request_id) if request_id is not None else None
    if request is None:
        raise invalid("No limit request with this id.", ErrorCode.NOT_FOUND, "id")
    if request["requested_by"] == actor:
        raise invalid("Four eyes: a request is decided by someone other than its requester.", ErrorCode.FORBIDDEN, "id")
    if request["status"] != PENDING:
        raise invalid(f"The request is {request['status']}, not pending.", ErrorCode.INVALID_STATE, "id")
    until = dates.from_bson(request.get("valid_until"))
    if approve and until is not None and until <= today:
        raise invalid("This temporary limit would already have ended.", ErrorCode.INVALID_DATE_RANGE, "id")
    decision = {
        "status": APPROVED if approve else DECLINED,
        "decided_by": actor,
        "decision_note": note.strip(),
        "decided_at": datetime.now(UTC),
    }
    async with locked_customer(rt.db, request["customer_id"]) as customer:
        decided = await store.update_pending(rt.db, request["_id"], decision)
        if decided is None:
            raise invalid("The request was decided a moment ago.", ErrorCode.INVALID_STATE, "id")
        if approve:
            await _apply(rt, customer, decided, actor)
    await record_event(
        rt.db,
        rt.redis,
        "LIMIT_REQUEST_APPROVED" if approve else "LIMIT_REQUEST_DECLINED",
        Severity.INFO,
        request["customer_id"],
        _payload(decided),
    )
    return decided


async def _apply(rt: Runtime, customer: dict[str, Any], request: dict[str, Any], actor: str) -> None:
    """Set the approved limit (the caller holds the customer's credit lock)."""
    before = customer.get("credit_limit", ZERO)
    after = request["requested"]
    changes: dict[str, Any] = {"credit_limit": after, "limit_proposal": None}
    temporary = customer.get("temporary_limit")
    if request.get("valid_until") is not None:
        # The limit to come back to is the one before the first temporary limit, not an
        # earlier temporary one.
        base = temporary["base"] if temporary else before
        changes["temporary_limit"] = {"base": base, "until": request["valid_until"], "request_id": request["_id"]}
    else:
        changes["temporary_limit"] = None
        changes["limit_anchor"] = after
    await customer_store.set_fields(rt.db, customer["_id"], changes)
    until = f" until {request['valid_until'].date().isoformat()}" if request.get("valid_until") else ""
    await record_limit_change(
        rt,
        customer["_id"],
        before=before,
        after=after,
        actor=actor,
        reason=f"limit request approved{until}: {request['reason']}",
    )


async def end_temporary_limit(
    rt: Runtime, customer: dict[str, Any], today: date, *, writes: WriteBatch
) -> dict[str, Any]:
    """On (or after) its last day a temporary limit falls back; returns the customer fields that change.

    The caller holds the customer's credit lock (the daily rescoring calls this first)
    and sets the fields with its own; the limit change is staged in ``writes``.
    """
    temporary = customer.get("temporary_limit")
    if not temporary or dates.from_bson(temporary["until"]) > today:  # type: ignore[operator]
        return {}
    before = customer.get("credit_limit", ZERO)
    after = temporary["base"]
    await record_limit_change(
        rt,
        customer["_id"],
        before=before,
        after=after,
        actor=store.SYSTEM_REQUESTER,
        reason="temporary limit ended",
        writes=writes,
    )
    await record_event(
        rt.db,
        rt.redis,
        "LIMIT_TEMPORARY_ENDED",
        Severity.MEDIUM,
        customer["_id"],
        {"before": before, "after": after, "until": temporary["until"].date().isoformat()},
    )
    return {"credit_limit": after, "temporary_limit": None}
