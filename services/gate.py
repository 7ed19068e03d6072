"""The order gate: one queue per customer in this process, one atomic reservation per batch.

Orders for one customer wait in this process's queue for that customer (no polling,
no lock in the database). A single task drains the queue: it reads the customer's
facts once, decides every waiting order in arrival order against the credit still
available, then reserves the approved total with **one atomic conditional update**
(``store.customers.reserve_credit``): the database moves the reserved figure only
if the customer is still unblocked and the total still fits the limit *as it is at
that instant*. Another API process, a payment or a limit change in between makes that
update miss; the batch is then read and decided again. So several processes decide
correctly together, and a burst of 200 orders costs a handful of round trips.

Crash safety: the reservation is made before the orders are stored. A process that
dies in between leaves credit reserved that no order holds (too cautious, never too
generous), and its callers got no answer, so they resubmit.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from bson import ObjectId

from infra.events import record_events
from infra.runtime import Runtime
from scoring.gate import GateCustomer, OrderRequest, OrderRequestLine, decide_order
from scoring.onboarding import OnboardingStatus
from services.credit import exposure_of
from services.errors import ErrorCode, InvalidInput, invalid
from services.facts import TradingRecord, trading_record
from services.groups import group_position, reserve_with_group
from services.onboarding import assess as assess_onboarding
from services.orders import APPROVED, Line, audit_row, order_document, order_event, problems_of, same_order
from services.prepayments import record_prepayment
from store import customers as customer_store
from store import orders as store

log = logging.getLogger("medcredit.gate")
ZERO = Decimal("0.00")
# Orders decided together at most; more wait for the next batch (milliseconds later).
MAX_BATCH = 500
# How long a batch waits for a burst to finish arriving, and how often it looks.
MAX_LINGER = 0.05
LINGER_STEP = 0.001
# Read-decide-reserve rounds before telling callers to retry: each miss means another
# writer changed the customer in between, which under any real load settles at once.
MAX_ROUNDS = 20

Result = tuple[dict[str, Any], bool]


@dataclass(eq=False)
class _Pending:
    ref: str
    lines: list[Line]
    actor: str
    today: date
    future: asyncio.Future[Result]
    # A received prepayment's reference (recorded as a payment before the order is decided).
    prepayment: str | None = None


@dataclass(eq=False)
class _CustomerQueue:
    waiting: list[_Pending] = field(default_factory=list)
    drainer: asyncio.Task[None] | None = None


async def submit_order(
    rt: Runtime,
    customer_id: ObjectId | None,
    external_ref: str,
    lines: list[Line],
    *,
    actor: str,
    today: date,
    prepayment_reference: str | None = None,
) -> Result:
    """Decide an order once per external reference; returns it and whether it is new.

    Raises:
        InvalidInput: bad lines, unknown customer, the reference reused for other lines,
            or (code RETRY) the customer changed too often to decide now.
    """
    problems = problems_of(external_ref, lines)
    if problems:
        raise InvalidInput(*problems)
    if customer_id is None:
        raise invalid("No customer with this id.", ErrorCode.NOT_FOUND, "customerId")
    prepayment = await record_prepayment(rt, customer_id, prepayment_reference, lines, actor=actor, today=today)
    queues: dict[ObjectId, _CustomerQueue] = rt.order_queues
    queue = queues.setdefault(customer_id, _CustomerQueue())
    future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
    queue.waiting.append(_Pending(external_ref.strip(), lines, actor, today, future, prepayment))
    if queue.drainer is None or queue.drainer.done():
        queue.drainer = asyncio.create_task(_drain(rt, customer_id, queue))
    # The decision is taken even if this caller goes away: shield it from cancellation.
    return await asyncio.shield(future)


async def _settle(queue: _CustomerQueue) -> None:
    """Wait while orders are still joining the queue, up to MAX_LINGER: group commit.

    A burst's requests reach the queue over a few hundred milliseconds while the event
    loop parses them. Deciding the first order alone made every other one wait for
    that lone batch's round trips (slowed by the same busy loop); waiting until a
    millisecond passes with no newcomer puts the burst in one batch. A lone order
    waits one millisecond.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAX_LINGER
    seen = -1
    while seen != len(queue.waiting) and len(queue.waiting) < MAX_BATCH and loop.time() < deadline:
        seen = len(queue.waiting)
        await asyncio.sleep(LINGER_STEP)


async def _drain(rt: Runtime, customer_id: ObjectId, queue: _CustomerQueue) -> None:
    while queue.waiting:
        await _settle(queue)
        batch, queue.waiting = queue.waiting[:MAX_BATCH], queue.waiting[MAX_BATCH:]
        try:
            await _decide_batch(rt, customer_id, batch)
        except Exception as exc:  # noqa: BLE001 - every waiting caller gets the failure
            log.exception("order batch for customer %s failed", customer_id)
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(exc)
    if rt.order_queues.get(customer_id) is queue:
        del rt.order_queues[customer_id]


def _facts(rt: Runtime, record: TradingRecord, today: date) -> GateCustomer:
    """What the decision knows of the customer, from its trading record."""
    customer = record.customer or {}
    return GateCustomer(
        blocked=record.blocked,
        available_credit=customer.get("credit_limit", ZERO) - exposure_of(customer),
        max_days_overdue=record.max_days_overdue(today),
        certificates=record.held_certificates(),
        prepayment_required=bool(customer.get("prepayment_required")),
        onboarding_approved=assess_onboarding(customer, record.certificates, today, rt.policy).status
        is OnboardingStatus.APPROVED,
    )


def _request(lines: list[Line], prepaid: bool = False) -> OrderRequest:
    return OrderRequest(tuple(OrderRequestLine(i.device_class, i.category.strip(), i.amount) for i in lines), prepaid)


async def _decide_batch(rt: Runtime, customer_id: ObjectId, batch: list[_Pending]) -> None:
    for _ in range(MAX_ROUNDS):
        # Everything the decision reads, in one round: under a burst the event loop is
        # busy accepting requests, and each further round waits behind them.
        record, existing = await asyncio.gather(
            trading_record(rt.db, customer_id),
            store.find_by_refs(rt.db, customer_id, sorted({p.ref for p in batch})),
        )
        customer = record.customer
        if customer is None:
            for pending in batch:
                pending.future.set_exception(invalid("No customer with this id.", ErrorCode.NOT_FOUND, "customerId"))
            return
        facts = _facts(rt, record, batch[0].today)
        group = await group_position(rt.db, customer)
        # Decide in arrival order; each approval uses up credit for the orders after it.
        new: dict[str, dict[str, Any]] = {}
        approved_total = ZERO
        for pending in batch:
            if pending.ref in existing or pending.ref in new:
                continue
            request = _request(pending.lines, pending.prepayment is not None)
            available = facts.available_credit - approved_total
            decision = decide_order(
                request,
                replace(
                    facts,
                    available_credit=available,
                    group_available_credit=group.available - approved_total if group is not None else None,
                ),
                pending.today,
                rt.policy,
            )
            new[pending.ref] = order_document(
                customer_id, pending.ref, pending.lines, request.amount, decision, pending.actor
            )
            if pending.prepayment is not None:
                new[pending.ref]["prepayment_reference"] = pending.prepayment
                continue  # paid in advance: nothing to reserve
            if decision.approved:
                approved_total += request.amount
        # Reserved on the group too (related parties), atomically there as here.
        if approved_total == ZERO or await reserve_with_group(rt.db, customer_id, approved_total, group):
            await _store_and_answer(rt, customer_id, batch, existing, new)
            return
        # Someone changed the customer between our read and our reservation: decide again.
    for pending in batch:
        pending.future.set_exception(
            invalid(
                "This customer's credit is changing too fast to decide now; send the same order again.",
                ErrorCode.RETRY,
                "customerId",
            )
        )


async def _store_and_answer(
    rt: Runtime,
    customer_id: ObjectId,
    batch: list[_Pending],
    existing: dict[str, dict[str, Any]],
    new: dict[str, dict[str, Any]],
) -> None:
    documents = list(new.values())
    refused = await store.insert_orders(rt.db, documents)
    if refused:
        # Another process stored these references first: theirs stand, our reservation goes.
        lost = [documents[i] for i in sorted(refused)]
        give_back = sum((d["amount"] for d in lost if d["status"] == APPROVED), ZERO)
        if give_back:
            await customer_store.change_reserved(rt.db, customer_id, -give_back)
        existing.update(await store.find_by_refs(rt.db, customer_id, [d["external_ref"] for d in lost]))
        for d in lost:
            del new[d["external_ref"]]
    stored = list(new.values())
    await asyncio.gather(
        rt.audit.write(
            *(
                audit_row(
                    d,
                    "ORDER_APPROVED" if d["status"] == APPROVED else "ORDER_HELD",
                    d["submitted_by"],
                    ", ".join(d["hold_reasons"]) or None,
                )
                for d in stored
            )
        ),
        record_events(rt.db, rt.redis, [order_event(d) for d in stored]),
    )
    answered: set[str] = set()
    for pending in batch:
        order = new.get(pending.ref)
        if order is not None and pending.ref not in answered:
            answered.add(pending.ref)
            pending.future.set_result((order, True))
            continue
        order = order or existing[pending.ref]
        if same_order(order, pending.lines):
            pending.future.set_result((order, False))
        else:
            pending.future.set_exception(
                invalid(f"Order {pending.ref} already exists with other lines.", ErrorCode.DUPLICATE, "externalRef")
            )
