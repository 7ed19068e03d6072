"""Rescoring one customer: facts from the store, the scorecard, the limit policy, warnings.

Runs in the workers (after ledger or certificate changes, daily, and on request). It
holds the customer's credit lock, so a limit change never races an order decision.
Running it twice on the same day gives the same result: the score history keeps one
entry per customer and day, and unchanged scores, limits and warnings emit no events.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bson import ObjectId

from infra import ids
from infra.events import events_together, record_event
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
from services.returns import with_ledger_returns
from services.signals import scoring_inputs
from store import audit as audit_store
from store import certificates as cert_store
from store import customers as customer_store
from store import ledger as ledger_store
from store import limit_changes, score_history
from store.locks import NoSuchCustomer, credit_lock

ZERO = Decimal("0.00")
SYSTEM = "system:rescoring"


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


async def rescore_customer(rt: Runtime, customer_id: ObjectId, *, today: date, reason: str) -> Assessment | None:
    """Score the customer as of ``today`` and apply what follows; None if it does not exist."""
    try:
        # Its score, limit and warning events are written together, before the lock is let go.
        async with credit_lock(rt.db, customer_id) as customer, events_together(rt.db, rt.redis):
            return await _rescore_locked(rt, customer, today=today, reason=reason)
    except NoSuchCustomer:
        return None


async def _rescore_locked(rt: Runtime, customer: dict[str, Any], *, today: date, reason: str) -> Assessment:
    db, policy, customer_id = rt.db, rt.policy, customer["_id"]
    # Imported lazily: limit requests record their changes through this module.
    from services.limit_requests import end_temporary_limit

    customer = await end_temporary_limit(rt, customer, today)
    invoices = await ledger_store.invoices_of(db, customer_id)
    certificate_docs = await cert_store.certificates_of(db, customer_id)
    certificates = [to_certificate(d) for d in certificate_docs]
    snapshot = snapshot_of(customer, invoices, certificates, today, policy)
    snapshot = await with_ledger_returns(db, snapshot, customer_id, invoices, today, policy)
    # Outside signals replace attributes.external_rating and raise their own warnings.
    rating, signal_specs = await scoring_inputs(rt, customer, today, snapshot.external_rating)
    snapshot = replace(snapshot, external_rating=rating)
    assessment = assess(snapshot, policy, today)
    now = datetime.now(UTC)
    old_risk = customer.get("risk") or {}
    # Overdue as of the scoring day, kept on the customer for the risk report's aggregation.
    changes: dict[str, Any] = {
        "risk": _risk_document(assessment, now),
        "overdue_amount": snapshot.aging.overdue,
    }
    await score_history.record_score(
        db,
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
            db,
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
    changes.update(await _apply_limit_policy(rt, customer, snapshot, assessment))
    specs = evaluate_warnings(risk_signals(snapshot, assessment, certificates, today, policy), policy)
    specs = (*specs, *await related_party_specs(rt, customer))
    specs = await follow_up(rt, customer, (*specs, *signal_specs), snapshot.open_invoices, today)  # tasks, promises
    changes["prepayment_required"] = requires_prepayment(assessment.grade, [s.kind for s in specs], policy.responses)
    # The onboarding file is re-assessed with the certificates: a fall-back warns ONBOARDING.
    onboarding_changes, onboarding_specs = await refresh_onboarding(rt, customer, certificate_docs, today=today)
    changes.update(onboarding_changes)
    specs = (*specs, *onboarding_specs)
    blocked = await sync_warnings(rt, customer, specs)
    if blocked != bool(customer.get("blocked")):
        changes["blocked"] = blocked
        await record_event(
            db,
            rt.redis,
            "CUSTOMER_BLOCKED" if blocked else "CUSTOMER_UNBLOCKED",
            Severity.CRITICAL if blocked else Severity.INFO,
            customer_id,
            {"blocked": blocked, "reasons": [s.kind for s in specs if s.blocks_customer]},
        )
    await customer_store.set_fields(db, customer_id, changes)
    if "blocked" in changes:
        await tell_siblings(rt, customer, blocked)
    return assessment


async def _apply_limit_policy(
    rt: Runtime, customer: dict[str, Any], snapshot: CustomerSnapshot, assessment: Assessment
) -> dict[str, Any]:
    """Apply the limit decision; returns the customer fields to set.

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
        )
        changes["credit_limit"] = decision.new_limit
    if decision.kind is LimitDecisionKind.INCREASE_NEEDS_APPROVAL:
        if await propose_from_scorecard(
            rt, {**customer, "credit_limit": decision.new_limit}, decision.proposed_limit, decision.reason
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
        await withdraw_scorecard_proposal(rt, customer["_id"], "the recommendation no longer exceeds the step")
        changes["limit_proposal"] = None
    return changes


async def record_limit_change(
    rt: Runtime, customer_id: ObjectId, *, before: Decimal, after: Decimal, actor: str, reason: str
) -> None:
    """Keep who changed the limit, when, from what, to what and why; then tell subscribers."""
    await limit_changes.record_limit_change(
        rt.db, customer_id, before=before, after=after, actor=actor, reason=reason, at=datetime.now(UTC)
    )
    await rt.audit.write(
        audit_store.entry(
            customer_id, "LIMIT_CHANGED", actor, {"before": str(before), "after": str(after), "reason": reason}
        )
    )
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
