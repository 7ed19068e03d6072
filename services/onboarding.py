"""Onboarding (首营审核): the file's status, the sign-off, suspension, and the fall-back.

The status is computed from the customer's certificates and the stored sign-off by
``scoring.onboarding`` whenever it is read (the gate, ``Customer.onboarding``), so a
licence that lapses at midnight holds orders at once. Rescoring (after every
certificate change, the expiry sweep and the daily sweep) also stores it on the
customer for the staff's queue, and there notices a fall-back: the sign-off lapses,
an event goes out and ONBOARDING is warned until someone reviews the file again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from bson import ObjectId

from infra.events import record_event
from infra.runtime import Runtime
from scoring.codes import Severity
from scoring.onboarding import (
    Approval,
    ApprovalState,
    HeldCertificate,
    OnboardingState,
    OnboardingStatus,
    assess_onboarding,
)
from scoring.policy import Policy
from scoring.warnings import WarningSpec
from services.errors import ErrorCode, invalid
from services.facts import to_certificate
from services.requests import request_rescore
from store import audit as audit_store
from store import certificates as cert_store
from store import dates
from store import onboarding as store
from store.batch import WriteBatch
from store.locks import NoSuchCustomer, credit_lock
from verification.normalize import names_match
from verification.uscc import normalize_uscc

LAPSED_KIND = "ONBOARDING_LAPSED"
MAX_NOTE_CHARS = 2000


def holder_matches(customer: dict[str, Any], certificate: dict[str, Any]) -> bool:
    """Whether the certificate still names the customer (a value it does not carry cannot disagree)."""
    name = certificate.get("holder_name")
    if name and not names_match(name, customer["legal_name"]):
        return False
    code, own = certificate.get("uscc"), customer.get("uscc")
    return not (code and own and normalize_uscc(code) != normalize_uscc(own))


def approval_of(customer: dict[str, Any]) -> Approval:
    """The stored sign-off of a customer as ``scoring.onboarding`` reads it."""
    stored = (customer.get("onboarding") or {}).get("approval") or {}
    state = ApprovalState(stored.get("state", ApprovalState.NONE.value))
    return Approval(
        state=state,
        approved_on=dates.from_bson(stored.get("on")),
        suspended=bool((customer.get("onboarding") or {}).get("suspended")),
    )


def assess(
    customer: dict[str, Any], certificates: Sequence[dict[str, Any]], today: date, policy: Policy
) -> OnboardingState:
    """Assess the customer's file from its stored certificates (no I/O)."""
    held = [HeldCertificate(to_certificate(c), holder_matches(customer, c)) for c in certificates]
    return assess_onboarding(customer["type"], held, approval_of(customer), today, policy)


def labels(policy: Policy, customer_type: str, keys: Sequence[str]) -> list[str]:
    """The staff-facing names of requirement keys, in the standard's order."""
    return [r.label for r in policy.onboarding.requirements_for(customer_type) if r.key in keys]


async def onboarding_of(rt_db: Any, customer: dict[str, Any], today: date, policy: Policy) -> OnboardingState:
    """Read the certificates and assess the customer's file as of ``today``."""
    return assess(customer, await cert_store.certificates_of(rt_db, customer["_id"]), today, policy)


def _summary(state: OnboardingState, now: datetime) -> dict[str, Any]:
    return {
        "onboarding.status": state.status.value,
        "onboarding.missing": list(state.missing),
        "onboarding.expiring_soon": list(state.expiring_soon),
        "onboarding.next_review_on": dates.to_bson(state.next_review_on),
        "onboarding.checked_at": now,
    }


async def _status_event(
    rt: Runtime, customer_id: ObjectId, state: OnboardingState, before: str | None, **more: Any
) -> None:
    fallen = before == OnboardingStatus.APPROVED.value and state.status is not OnboardingStatus.APPROVED
    await record_event(
        rt.db,
        rt.redis,
        "ONBOARDING_STATUS",
        Severity.HIGH if fallen else Severity.INFO,
        customer_id,
        {"status": state.status.value, "previousStatus": before, "missing": list(state.missing), **more},
    )


async def refresh_onboarding(
    rt: Runtime, customer: dict[str, Any], certificates: Sequence[dict[str, Any]], *, today: date, writes: WriteBatch
) -> tuple[dict[str, Any], list[WarningSpec]]:
    """Re-assess the file inside rescoring (which holds the credit lock).

    A standing sign-off that no longer yields APPROVED lapses here, with an event and
    an audit row (staged in ``writes``); while a lapsed file is not approved again, ONBOARDING (and the roles
    in ``onboarding.lapsed_notify``) see a warning.

    Returns:
        The customer fields to set, and the warning specs to add to the ladder's.
    """
    policy = rt.policy
    stored = customer.get("onboarding") or {}
    before = stored.get("status")
    state = assess(customer, certificates, today, policy)
    changes = _summary(state, datetime.now(UTC))
    approval = approval_of(customer)
    if approval.state is ApprovalState.ACTIVE and state.status in (
        OnboardingStatus.EXPIRED,
        OnboardingStatus.INCOMPLETE,
    ):
        reason = labels(policy, customer["type"], state.missing) or ["periodic re-review due"]
        changes["onboarding.approval.state"] = ApprovalState.LAPSED.value
        changes["onboarding.approval.lapsed_at"] = datetime.now(UTC)
        changes["onboarding.approval.lapse_reason"] = reason
        audit_store.stage_entry(
            writes,
            audit_store.entry(
                customer["_id"],
                "ONBOARDING_LAPSED",
                "system:onboarding",
                {"status": state.status.value, "reason": reason},
            ),
        )
        approval = Approval(ApprovalState.LAPSED, approval.approved_on, approval.suspended)
        state = assess_onboarding(
            customer["type"],
            [HeldCertificate(to_certificate(c), holder_matches(customer, c)) for c in certificates],
            approval,
            today,
            policy,
        )
        changes.update(_summary(state, datetime.now(UTC)))
        await _status_event(rt, customer["_id"], state, before, reason=reason)
    elif before != state.status.value:
        await _status_event(rt, customer["_id"], state, before)
    specs: list[WarningSpec] = []
    if approval.state is ApprovalState.LAPSED and state.status is not OnboardingStatus.APPROVED:
        missing = "、".join(labels(policy, customer["type"], state.missing)) or "定期复审到期"
        specs.append(
            WarningSpec(
                kind=LAPSED_KIND,
                severity=Severity.HIGH,
                message=f"Onboarding fell back to {state.status.value}: review the file again. "
                f"首营资料需重新审核：{missing}",
                notify_roles=policy.onboarding.lapsed_notify,
                blocks_customer=False,
            )
        )
    return changes, specs


async def approve_onboarding(
    rt: Runtime, customer_id: ObjectId | None, note: str | None, *, actor: str, today: date
) -> dict[str, Any]:
    """Sign a complete file off (also renews the periodic review and lifts a suspension).

    Raises:
        InvalidInput: unknown customer, a note too long, or something required missing.
    Returns:
        The customer as stored after the approval.
    """
    text = (note or "").strip()
    if len(text) > MAX_NOTE_CHARS:
        raise invalid(f"The note is at most {MAX_NOTE_CHARS} characters.", ErrorCode.TOO_LONG, "note")
    if customer_id is None:
        raise invalid("No customer with this id.", ErrorCode.NOT_FOUND, "customerId")
    try:
        async with credit_lock(rt.db, customer_id) as customer:
            certificates = await cert_store.certificates_of(rt.db, customer_id)
            state = assess(customer, certificates, today, rt.policy)
            if state.missing:
                names = "、".join(labels(rt.policy, customer["type"], state.missing))
                raise invalid(
                    f"The file is incomplete: {names} missing, expired or not naming the customer.",
                    ErrorCode.INVALID_STATE,
                    "customerId",
                )
            now = datetime.now(UTC)
            before = (customer.get("onboarding") or {}).get("status")
            review = {"by": actor, "at": now, "note": text, "decision": "APPROVED", "status_before": state.status.value}
            approved = Approval(ApprovalState.ACTIVE, today, suspended=False)
            after = assess_onboarding(
                customer["type"],
                [HeldCertificate(to_certificate(c), holder_matches(customer, c)) for c in certificates],
                approved,
                today,
                rt.policy,
            )
            stored = await store.set_onboarding(
                rt.db,
                customer_id,
                {
                    "onboarding.approval": {
                        "state": ApprovalState.ACTIVE.value,
                        "by": actor,
                        "at": now,
                        "on": dates.to_bson(today),
                        "note": text,
                    },
                    "onboarding.suspended": False,
                    **_summary(after, now),
                },
                review,
            )
    except NoSuchCustomer:
        raise invalid("No customer with this id.", ErrorCode.NOT_FOUND, "customerId") from None
    await rt.audit.write(
        audit_store.entry(customer_id, "ONBOARDING_APPROVED", actor, {"note": text, "statusBefore": state.status.value})
    )
    await _status_event(rt, customer_id, after, before, by=actor)
    # Rescoring resolves a fall-back warning and rescores qualification.
    await request_rescore(rt, customer_id, "onboarding approved")
    assert stored is not None
    return stored


async def suspend_onboarding(
    rt: Runtime, customer_id: ObjectId | None, note: str, *, actor: str, today: date
) -> dict[str, Any]:
    """Suspend a customer's onboarding (orders held as for an incomplete file) until approved again.

    Raises:
        InvalidInput: unknown customer, or an empty or too long note.
    """
    text = note.strip()
    if not text:
        raise invalid("A note is required to suspend an onboarding.", ErrorCode.REQUIRED, "note")
    if len(text) > MAX_NOTE_CHARS:
        raise invalid(f"The note is at most {MAX_NOTE_CHARS} characters.", ErrorCode.TOO_LONG, "note")
    if customer_id is None:
        raise invalid("No customer with this id.", ErrorCode.NOT_FOUND, "customerId")
    try:
        async with credit_lock(rt.db, customer_id) as customer:
            now = datetime.now(UTC)
            before = (customer.get("onboarding") or {}).get("status")
            after = assess(
                {**customer, "onboarding": {**(customer.get("onboarding") or {}), "suspended": True}},
                await cert_store.certificates_of(rt.db, customer_id),
                today,
                rt.policy,
            )
            stored = await store.set_onboarding(
                rt.db,
                customer_id,
                {"onboarding.suspended": True, **_summary(after, now)},
                {"by": actor, "at": now, "note": text, "decision": "SUSPENDED", "status_before": before},
            )
    except NoSuchCustomer:
        raise invalid("No customer with this id.", ErrorCode.NOT_FOUND, "customerId") from None
    await rt.audit.write(audit_store.entry(customer_id, "ONBOARDING_SUSPENDED", actor, {"note": text}))
    await _status_event(rt, customer_id, after, before, by=actor)
    assert stored is not None
    return stored
