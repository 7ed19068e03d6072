"""Collection tasks: the COLLECTION rung opens one per customer; finance works it.

Rescoring calls :func:`follow_up` with the warnings the ladder wants: it opens the
customer's task (or keeps its invoices and amount current), closes it when nothing is
overdue any more, and turns a promise to pay that passed unpaid into a ``BROKEN_PROMISE``
warning, one rung up the ladder, until someone records a new promise or closes the task.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bson import ObjectId

from infra import ids
from infra.events import record_event
from infra.runtime import Runtime
from scoring.codes import Severity
from scoring.ledger import Invoice
from scoring.warnings import WarningSpec
from services.errors import ErrorCode, InvalidInput, Problem, invalid
from store import audit as audit_store
from store import collection_tasks as store
from store import dates
from store.batch import WriteBatch

OPEN, IN_PROGRESS, PROMISED, DONE, ESCALATED = "OPEN", "IN_PROGRESS", "PROMISED", "DONE", "ESCALATED"
SETTABLE = (IN_PROGRESS, PROMISED, DONE, ESCALATED)
BROKEN_PROMISE = "BROKEN_PROMISE"
SYSTEM = "system:collection"
MAX_NOTE = 2000


def _note(by: str, text: str) -> dict[str, Any]:
    return {"at": datetime.now(UTC), "by": by, "text": text}


def _overdue(invoices: Sequence[Invoice], today: date) -> list[Invoice]:
    return [i for i in invoices if i.open_amount > 0 and i.due_on < today]


async def follow_up(
    rt: Runtime,
    customer: dict[str, Any],
    specs: Sequence[WarningSpec],
    invoices: Sequence[Invoice],
    today: date,
    *,
    task: dict[str, Any] | None,
    writes: WriteBatch,
) -> tuple[WarningSpec, ...]:
    """Open, refresh or close the customer's open ``task`` (as loaded under its credit lock),
    staging the change in ``writes``; returns ``specs`` plus a broken-promise warning if due."""
    policy = rt.policy.responses
    oid = customer["_id"]
    overdue = _overdue(invoices, today)
    numbers = [i.number for i in overdue]
    amount = sum((i.open_amount for i in overdue), Decimal("0.00"))
    if task is None:
        if overdue and any(s.kind in policy.collection_kinds for s in specs):
            now = datetime.now(UTC)
            task = {
                "_id": ObjectId(),
                "customer_id": oid,
                "open_key": store.open_key(oid),
                "invoices": numbers,
                "amount": amount,
                "assignee": None,
                "status": OPEN,
                "due_on": dates.to_bson(today + timedelta(days=policy.collection_due_days)),
                "promised_on": None,
                "promise_broken": False,
                "notes": [_note(SYSTEM, f"opened: {amount:,.2f} overdue on {len(numbers)} invoice(s)")],
                "created_at": now,
                "updated_at": now,
            }
            store.stage_insert(writes, task)
            await _event(rt, task, "OPENED")
        return tuple(specs)
    if not overdue:
        closing = {
            "status": DONE,
            "amount": amount,
            "invoices": [],
            "promise_broken": False,
            "updated_at": datetime.now(UTC),
        }
        store.stage_update(
            writes, task["_id"], closing, note=_note(SYSTEM, "closed: nothing is overdue any more"), unset=("open_key",)
        )
        await _event(rt, {**task, **closing}, "CLOSED")
        return tuple(specs)
    changes: dict[str, Any] = {}
    if task.get("invoices") != numbers or task.get("amount") != amount:
        changes.update(invoices=numbers, amount=amount)
    note = None
    promised = dates.from_bson(task.get("promised_on"))
    if task["status"] == PROMISED and promised is not None and promised < today:
        changes.update(status=ESCALATED, promise_broken=True)
        note = _note(SYSTEM, f"promise broken: payment promised by {promised.isoformat()} not received")
    if changes:
        changes["updated_at"] = datetime.now(UTC)
        store.stage_update(writes, task["_id"], changes, note=note)
        task = {**task, **changes}
        if note is not None:
            await _event(rt, task, "PROMISE_BROKEN")
    if not task.get("promise_broken"):
        return tuple(specs)
    broken = WarningSpec(
        BROKEN_PROMISE,
        policy.broken_promise_severity,
        f"承诺付款未兑现 Broken promise: payment promised by {promised} was not received; {amount:,.2f} still overdue.",
        policy.broken_promise_notify,
        False,
    )
    return (*specs, broken)


async def assign_task(rt: Runtime, oid: ObjectId | None, assignee: str, *, actor: str) -> dict[str, Any]:
    """Give the task to a collector.

    Raises:
        InvalidInput: no such task, a blank assignee, or a closed task.
    """
    task = await _open_task(rt, oid)
    name = assignee.strip()
    if not name:
        raise invalid("Name the collector.", ErrorCode.REQUIRED, "assignee")
    updated = await store.update_task(
        rt.db,
        task["_id"],
        {"assignee": name, "updated_at": datetime.now(UTC)},
        note=_note(actor, f"assigned to {name}"),
    )
    assert updated is not None
    await rt.audit.write(audit_store.entry(task["customer_id"], "COLLECTION_TASK_ASSIGNED", actor, {"assignee": name}))
    await _event(rt, updated, "ASSIGNED")
    return updated


async def update_task(
    rt: Runtime,
    oid: ObjectId | None,
    status: str,
    note: str,
    promised_on: date | None,
    *,
    actor: str,
    today: date,
) -> dict[str, Any]:
    """Record progress: the new status, the collector's note, and for PROMISED the promised day.

    Raises:
        InvalidInput: no such task, a closed task, an unknown status, a blank note, or a
            promise without a day or for a day already past.
    """
    task = await _open_task(rt, oid)
    problems = []
    if status not in SETTABLE:
        problems.append(Problem(f"Status must be one of {', '.join(SETTABLE)}.", ErrorCode.INVALID, "status"))
    if not note.strip():
        problems.append(Problem("Say what happened in the note.", ErrorCode.REQUIRED, "note"))
    elif len(note) > MAX_NOTE:
        problems.append(Problem(f"The note is longer than {MAX_NOTE} characters.", ErrorCode.TOO_LONG, "note"))
    if status == PROMISED and promised_on is None:
        problems.append(Problem("A promise needs the day payment was promised for.", ErrorCode.REQUIRED, "promisedOn"))
    elif status == PROMISED and promised_on is not None and promised_on < today:
        problems.append(Problem("The promised day is already past.", ErrorCode.INVALID_DATE_RANGE, "promisedOn"))
    if problems:
        raise InvalidInput(*problems)
    changes: dict[str, Any] = {"status": status, "updated_at": datetime.now(UTC)}
    if status in (PROMISED, DONE):
        changes["promise_broken"] = False  # a new promise (or the end) clears the broken one
    if status == PROMISED:
        changes["promised_on"] = dates.to_bson(promised_on)
    updated = await store.update_task(
        rt.db, task["_id"], changes, note=_note(actor, note.strip()), unset=("open_key",) if status == DONE else ()
    )
    assert updated is not None
    await rt.audit.write(
        audit_store.entry(
            task["customer_id"],
            "COLLECTION_TASK_UPDATED",
            actor,
            {"status": status, "note": note.strip(), "promisedOn": promised_on.isoformat() if promised_on else None},
        )
    )
    await _event(rt, updated, status)
    return updated


async def _open_task(rt: Runtime, oid: ObjectId | None) -> dict[str, Any]:
    task = await store.get_task(rt.db, oid) if oid is not None else None
    if task is None:
        raise invalid("No collection task with this id.", ErrorCode.NOT_FOUND, "id")
    if task["status"] == DONE:
        raise invalid("This task is closed.", ErrorCode.INVALID_STATE, "id")
    return task


async def _event(rt: Runtime, task: dict[str, Any] | None, change: str) -> None:
    if task is None:
        return
    await record_event(
        rt.db,
        rt.redis,
        "COLLECTION_TASK_CHANGED",
        Severity.MEDIUM if change in ("OPENED", "PROMISE_BROKEN", ESCALATED) else Severity.INFO,
        task["customer_id"],
        {
            "taskId": ids.encode_id("CollectionTask", task["_id"]),
            "change": change,
            "status": task["status"],
            "assignee": task.get("assignee"),
            "amount": task.get("amount"),
            "notifyRoles": ["FINANCE"],
        },
    )
