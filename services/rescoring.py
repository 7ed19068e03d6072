"""Rescoring customers: facts from the store, the scorecard, the limit policy, warnings.

Runs in the workers (after ledger or certificate changes, daily, and on request). It
holds each customer's credit lock, so a limit change never races an order decision.
Running it twice on the same day gives the same result: the score history keeps one
entry per customer and day, and unchanged scores, limits and warnings emit no events.

One load, the decisions, one write: ``load_facts`` reads what every rescoring of a
chunk needs with one query per collection; ``_decide`` reads nothing more (but a group
member's siblings) and writes nothing: it notes its events and stages its writes in a
``store.batch.WriteBatch``; the chunk's writes and events then go out together. The
daily sweep rescores chunks (``rescore_many``); a single rescoring is a chunk of one
(``rescore_customer``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bson import ObjectId

from infra import ids
from infra.events import RaisedEvent, events_noted, record_event, record_events
from infra.runtime import Runtime
from scoring.automatic_limits import automatic_limit
from scoring.codes import LimitDecisionKind, Severity
from scoring.policy import Policy
from scoring.qualification import Certificate
from scoring.responses import requires_prepayment
from scoring.scorecard import Assessment, CustomerSnapshot, assess
from scoring.snapshot import build_snapshot
from scoring.warnings import evaluate_warnings, risk_signals
from services.alerts import sync_warnings
from services.collection import follow_up
from services.credit import exposure_of
from services.facts import to_certificate, to_invoice
from services.groups import related_party_specs, tell_siblings
from services.onboarding import refresh_onboarding
from services.returns import returns_since, with_ledger_returns
from services.signals import scoring_inputs
from store import audit as audit_store
from store import certificates as cert_store
from store import collection_tasks as task_store
from store import credit_notes as credit_note_store
from store import customers as customer_store
from store import ledger as ledger_store
from store import limit_changes, score_history
from store import limit_requests as request_store
from store import signals as signal_store
from store import warnings as warning_store
from store.batch import WriteBatch
from store.locks import (
    LockLost,
    NoSuchCustomer,
    credit_lock,
    credit_locks,
    released,
    released_missed,
    stage_release,
)

ZERO = Decimal("0.00")
SYSTEM = "system:rescoring"
log = logging.getLogger("medcredit.rescoring")


def snapshot_of(
    customer: dict[str, Any],
    invoices: list[dict[str, Any]],
    certificates: list[Certificate],
    today: date,
    policy: Policy,
) -> CustomerSnapshot:
    """The scorecard's facts about a stored customer and its stored invoices (``scoring.snapshot``)."""
    previous = (customer.get("risk") or {}).get("score")
    return build_snapshot(
        credit_limit=customer.get("credit_limit", ZERO),
        payment_term_days=customer_store.payment_term_days(customer),
        exposure=exposure_of(customer),
        invoices=[to_invoice(d) for d in invoices],
        certificates=certificates,
        attributes=customer.get("attributes") or {},
        created_on=customer["created_at"].date(),
        previous_score=float(previous) if previous is not None else None,
        today=today,
        policy=policy,
    )


def _risk_document(assessment: Assessment, now: datetime) -> dict[str, Any]:
    return {
        "score": assessment.score,
        "grade": assessment.grade.value,
        "factors": [{"name": f.name, "value": f.value, "contribution": f.contribution} for f in assessment.factors],
        "recommended_limit": assessment.recommended_limit,
        "recommended_terms_days": assessment.recommended_terms_days,
        "policy_version": assessment.policy_version,
        "scored_at": now,
    }


@dataclass(frozen=True, slots=True)
class Facts:
    """What one rescoring reads besides the customer, loaded while it holds the credit lock."""

    invoices: list[dict[str, Any]]
    certificates: list[dict[str, Any]]
    credit_notes: list[dict[str, Any]]  # since the returns window began
    signals: list[dict[str, Any]]
    open_task: dict[str, Any] | None
    active_warnings: list[dict[str, Any]]
    pending_proposal: dict[str, Any] | None


async def load_facts(rt: Runtime, customer_ids: list[ObjectId], today: date) -> dict[ObjectId, Facts]:
    """The facts of every customer in ``customer_ids``: one read per collection for all of them, sent at once."""
    db = rt.db
    since = returns_since(today, rt.policy)
    async with asyncio.TaskGroup() as reads:
        invoices = reads.create_task(ledger_store.invoices_of_many(db, customer_ids))
        certificates = reads.create_task(cert_store.certificates_of_many(db, customer_ids))
        notes = reads.create_task(credit_note_store.credit_notes_of_many(db, customer_ids, since=since))
        signals = reads.create_task(signal_store.signals_of_many(db, customer_ids))
        tasks = reads.create_task(task_store.open_tasks_of_many(db, customer_ids))
        warnings = reads.create_task(warning_store.active_warnings_of_many(db, customer_ids))
        proposals = reads.create_task(request_store.pending_system_requests_of_many(db, customer_ids))
    return {
        oid: Facts(
            invoices=sorted(invoices.result()[oid], key=lambda d: d["due_on"]),
            certificates=certificates.result()[oid],
            credit_notes=notes.result()[oid],
            signals=signals.result()[oid],
            open_task=tasks.result().get(oid),
            active_warnings=warnings.result()[oid],
            pending_proposal=proposals.result().get(oid),
        )
        for oid in customer_ids
    }


async def rescore_customer(rt: Runtime, customer_id: ObjectId, *, today: date, reason: str) -> Assessment | None:
    """Score the customer as of ``today`` and apply what follows; None if it does not exist."""
    try:
        async with credit_lock(rt.db, customer_id) as customer:
            decided = await _rescore_locked(rt, [customer], today=today, reason=reason, isolate=False)
    except NoSuchCustomer:
        return None
    return decided[customer_id]


async def rescore_many(rt: Runtime, customer_ids: list[ObjectId], *, today: date, reason: str) -> list[ObjectId]:
    """Rescore a chunk of customers together (the sweep): one load, the decisions, one write.

    Returns the customers left out: those whose credit lock was busy (an order or a
    payment in progress) or whose rescoring failed. The caller rescores them on their
    own, where waiting for the lock and retrying belong.
    """
    async with credit_locks(rt.db, customer_ids) as customers:
        decided = await _rescore_locked(rt, customers, today=today, reason=reason, isolate=True)
    return [oid for oid in customer_ids if oid not in decided]


async def _rescore_locked(
    rt: Runtime, customers: list[dict[str, Any]], *, today: date, reason: str, isolate: bool
) -> dict[ObjectId, Assessment]:
    """Rescore customers whose locks the caller holds: load, decide each, write all.

    A decision stages its writes and notes its events; only decisions that succeed
    are written, together, before the locks are let go. With ``isolate`` a failing
    decision is logged and left out, so one bad customer does not cost the chunk.
    """
    if not customers:  # every lock of the chunk was busy
        return {}
    facts = await load_facts(rt, [c["_id"] for c in customers], today)
    writes = WriteBatch()
    events: list[RaisedEvent] = []
    decided: dict[ObjectId, Assessment] = {}
    block_changed: list[tuple[dict[str, Any], bool]] = []
    for customer in customers:
        own = WriteBatch()
        try:
            with events_noted() as raised:
                assessment, blocked = await _decide(
                    rt, customer, facts[customer["_id"]], own, today=today, reason=reason
                )
        except Exception:
            if not isolate:
                raise
            log.exception("rescoring customer %s failed; left for a rescoring of its own", customer["_id"])
            continue
        writes.extend(own)
        events.extend(raised)
        decided[customer["_id"]] = assessment
        if blocked is not None:
            block_changed.append((customer, blocked))
    lost = released_missed(await writes.flush(rt.db))
    # The events go out even then: every write but the lost customers' own fields landed.
    await record_events(rt.db, rt.redis, events)
    if lost:
        # A lock outlived its 30 s lease and passed on: that customer's fields were not
        # written over the new holder's; the message is retried.
        raise LockLost(f"{lost} of {len(decided)} customers' credit locks expired before their rescoring was written")
    for customer in customers:
        if customer["_id"] in decided:
            released(customer)
    for customer, blocked in block_changed:
        await tell_siblings(rt, customer, blocked)
    return decided


async def _decide(
    rt: Runtime, customer: dict[str, Any], facts: Facts, writes: WriteBatch, *, today: date, reason: str
) -> tuple[Assessment, bool | None]:
    """One customer's rescoring, its writes staged in ``writes``; returns the assessment
    and, when the customer's block changed, whether it is now blocked."""
    policy, customer_id = rt.policy, customer["_id"]
    # Imported lazily: limit requests record their changes through this module.
    from services.limit_requests import end_temporary_limit

    changes: dict[str, Any] = await end_temporary_limit(rt, customer, today, writes=writes)
    customer = {**customer, **changes}
    certificates = [to_certificate(d) for d in facts.certificates]
    snapshot = snapshot_of(customer, facts.invoices, certificates, today, policy)
    snapshot = with_ledger_returns(snapshot, facts.invoices, facts.credit_notes, today, policy)
    # Outside signals replace attributes.external_rating and raise their own warnings.
    rating, signal_specs = scoring_inputs(policy, facts.signals, today, snapshot.external_rating)
    snapshot = replace(snapshot, external_rating=rating)
    assessment = assess(snapshot, policy, today)
    now = datetime.now(UTC)
    old_risk = customer.get("risk") or {}
    # Overdue as of the scoring day, kept on the customer for the risk report's aggregation.
    changes["risk"] = _risk_document(assessment, now)
    changes["overdue_amount"] = snapshot.aging.overdue
    score_history.stage_score(
        writes,
        customer_id,
        today,
        {
            "score": assessment.score,
            "grade": assessment.grade.value,
            "policy_version": policy.version,
            "reason": reason,
        },
    )
    if old_risk.get("grade") != assessment.grade.value or old_risk.get("score") != assessment.score:
        worse = bool(old_risk) and assessment.grade.value > old_risk.get("grade", "A")
        await record_event(
            rt.db,
            rt.redis,
            "SCORE_CHANGED",
            Severity.MEDIUM if worse else Severity.INFO,
            customer_id,
            {
                "score": assessment.score,
                "grade": assessment.grade.value,
                "previousScore": old_risk.get("score"),
                "previousGrade": old_risk.get("grade"),
                "reason": reason,
                "policyVersion": policy.version,
            },
        )
    changes.update(await _apply_limit_policy(rt, customer, snapshot, assessment, facts.pending_proposal, writes))
    specs = evaluate_warnings(risk_signals(snapshot, assessment, certificates, today, policy), policy)
    specs = (*specs, *await related_party_specs(rt, customer))
    specs = await follow_up(  # tasks, promises
        rt, customer, (*specs, *signal_specs), snapshot.open_invoices, today, task=facts.open_task, writes=writes
    )
    changes["prepayment_required"] = requires_prepayment(assessment.grade, [s.kind for s in specs], policy.responses)
    # The onboarding file is re-assessed with the certificates: a fall-back warns ONBOARDING.
    onboarding_changes, onboarding_specs = await refresh_onboarding(
        rt, customer, facts.certificates, today=today, writes=writes
    )
    changes.update(onboarding_changes)
    specs = (*specs, *onboarding_specs)
    blocked = await sync_warnings(rt, customer, specs, active_warnings=facts.active_warnings, writes=writes)
    block_changed = blocked != bool(customer.get("blocked"))
    if block_changed:
        changes["blocked"] = blocked
        await record_event(
            rt.db,
            rt.redis,
            "CUSTOMER_BLOCKED" if blocked else "CUSTOMER_UNBLOCKED",
            Severity.CRITICAL if blocked else Severity.INFO,
            customer_id,
            {"blocked": blocked, "reasons": [s.kind for s in specs if s.blocks_customer]},
        )
    # The customer's new fields and the end of its lock are one write.
    stage_release(writes, customer, changes)
    return assessment, blocked if block_changed else None


async def _apply_limit_policy(
    rt: Runtime,
    customer: dict[str, Any],
    snapshot: CustomerSnapshot,
    assessment: Assessment,
    pending: dict[str, Any] | None,
    writes: WriteBatch,
) -> dict[str, Any]:
    """Apply the limit decision (staged in ``writes``; ``pending``: the scorecard's
    pending proposal); returns the customer fields to set.

    The automatic limit is a function of the anchor (the limit a person last set) and
    today's recommendation only, never of earlier automatic limits: history recorded in
    any order, or day by day, ends with the same limit (``scoring.automatic_limits``).
    """
    from services.limit_requests import propose_from_scorecard, withdraw_scorecard_proposal

    if customer.get("temporary_limit"):
        # A temporary limit a person granted stands until its day; then it falls back.
        return {}
    current = customer.get("credit_limit", ZERO)
    anchor = customer.get("limit_anchor")
    changes: dict[str, Any] = {}
    if anchor is None:
        # Customers from before anchors: the limit in force was set by a person.
        anchor = current
        changes["limit_anchor"] = anchor
    trading_months = sum(1 for volume in snapshot.monthly_volumes if volume > 0)
    # Too little trading history for a volume-based recommendation: the limit a person
    # set stands until the customer has traded for a full trend window.
    enough = trading_months >= rt.policy.scorecard.volume_trend_months
    decision = automatic_limit(anchor, assessment.recommended_limit if enough else None, rt.policy)
    if decision.new_limit != current:
        await record_limit_change(
            rt,
            customer["_id"],
            before=current,
            after=decision.new_limit,
            actor=SYSTEM,
            reason=f"{decision.reason} (grade {assessment.grade.value}, policy {assessment.policy_version})",
            writes=writes,
        )
        changes["credit_limit"] = decision.new_limit
    if decision.kind is LimitDecisionKind.INCREASE_NEEDS_APPROVAL:
        if propose_from_scorecard(
            {**customer, "credit_limit": decision.new_limit},
            decision.proposed_limit,
            decision.reason,
            pending=pending,
            writes=writes,
        ):
            await record_event(
                rt.db,
                rt.redis,
                "LIMIT_PROPOSED",
                Severity.LOW,
                customer["_id"],
                {
                    "current": decision.new_limit,
                    "proposed": decision.proposed_limit,
                    "reason": decision.reason,
                    "approverRole": decision.approver_role.value if decision.approver_role else None,
                },
            )
        changes["limit_proposal"] = {
            "proposed": decision.proposed_limit,
            "reason": decision.reason,
            "at": datetime.now(UTC),
        }
    else:
        withdraw_scorecard_proposal(pending, "the recommendation no longer exceeds the step", writes=writes)
        changes["limit_proposal"] = None
    return changes


async def record_limit_change(
    rt: Runtime,
    customer_id: ObjectId,
    *,
    before: Decimal,
    after: Decimal,
    actor: str,
    reason: str,
    writes: WriteBatch | None = None,
) -> None:
    """Keep who changed the limit, when, from what, to what and why; then tell subscribers.

    With ``writes`` the change and its audit row are staged there instead of written now.
    """
    at = datetime.now(UTC)
    row = audit_store.entry(
        customer_id, "LIMIT_CHANGED", actor, {"before": str(before), "after": str(after), "reason": reason}
    )
    if writes is None:
        await limit_changes.record_limit_change(
            rt.db, customer_id, before=before, after=after, actor=actor, reason=reason, at=at
        )
        await rt.audit.write(row)
    else:
        limit_changes.stage_limit_change(
            writes, customer_id, before=before, after=after, actor=actor, reason=reason, at=at
        )
        audit_store.stage_entry(writes, row)
    await record_event(
        rt.db,
        rt.redis,
        "LIMIT_CHANGED",
        Severity.MEDIUM if after < before else Severity.INFO,
        customer_id,
        {
            "before": before,
            "after": after,
            "actor": actor,
            "reason": reason,
            "customerId": ids.encode_id("Customer", customer_id),
        },
    )
