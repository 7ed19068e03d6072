"""Onboarding status (首营审核): is a customer's file complete, reviewed and still current?

A requirement of the customer's type (``[onboarding.standards]``) is *met* by a
certificate of one of its types that is in force (accepted status, not expired) and
still names the customer. A person signs a complete file off (an *approval*); the
status then stays APPROVED until a required certificate expires, is rejected or no
longer names the customer, or the periodic re-review falls due. Such a fall-back
*lapses* the approval: the file needs a new sign-off even after the licence is renewed,
because GSP asks for a review whenever a licence changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from scoring.policy import Policy
from scoring.qualification import Certificate, is_expired, is_in_force


class OnboardingStatus(Enum):
    """Where a customer's onboarding stands; member names are the GraphQL names."""

    INCOMPLETE = "INCOMPLETE"
    READY_FOR_REVIEW = "READY_FOR_REVIEW"
    APPROVED = "APPROVED"
    EXPIRED = "EXPIRED"
    SUSPENDED = "SUSPENDED"


class ApprovalState(Enum):
    """The sign-off as stored: none yet, standing, or lapsed by a fall-back."""

    NONE = "NONE"
    ACTIVE = "ACTIVE"
    LAPSED = "LAPSED"


@dataclass(frozen=True, slots=True)
class HeldCertificate:
    """A certificate with whether it still names the customer (holder name and credit code)."""

    certificate: Certificate
    holder_matches: bool = True


@dataclass(frozen=True, slots=True)
class Approval:
    """The stored sign-off; ``approved_on`` is the day of the last approval."""

    state: ApprovalState = ApprovalState.NONE
    approved_on: date | None = None
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class OnboardingState:
    """The assessed file.

    ``missing`` and ``expired`` are requirement keys not met (``expired`` those unmet only
    because a matching certificate has expired, a subset of ``missing``); ``expiring_soon``
    are requirement keys met by a certificate ending within ``expiring_within_days``;
    ``next_review_on`` is due date of the periodic re-review (None until approved).
    """

    status: OnboardingStatus
    missing: tuple[str, ...]
    expired: tuple[str, ...]
    expiring_soon: tuple[str, ...]
    next_review_on: date | None


def _ends_soon(cert: Certificate, as_of: date, within_days: int) -> bool:
    return cert.valid_until is not None and (cert.valid_until - as_of).days <= within_days


def assess_onboarding(
    customer_type: str,
    certificates: Sequence[HeldCertificate],
    approval: Approval,
    as_of: date,
    policy: Policy,
) -> OnboardingState:
    """Assess a customer's file against the standard of its type.

    Parameters:
        customer_type: the GraphQL ``CustomerType`` name, e.g. ``"DISTRIBUTOR"``.
        certificates: the customer's certificates, with holder agreement.
        approval: the stored sign-off.
        as_of: the day of the assessment.
        policy: the policy (``[onboarding]`` and ``[gate]`` statuses).

    Returns:
        SUSPENDED when suspended; with a standing approval: EXPIRED when a requirement is
        unmet through expiry or the re-review is due, INCOMPLETE when one is unmet
        otherwise, APPROVED when all are met; after a lapsed approval: EXPIRED while a
        requirement is unmet through expiry, then as without one; without an approval:
        INCOMPLETE while a requirement is unmet, READY_FOR_REVIEW when all are met.
    """
    rules = policy.onboarding
    missing: list[str] = []
    expired: list[str] = []
    soon: list[str] = []
    for requirement in rules.requirements_for(customer_type):
        candidates = [h for h in certificates if h.certificate.cert_type in requirement.any_of]
        meeting = [h.certificate for h in candidates if h.holder_matches and is_in_force(h.certificate, as_of, policy)]
        if meeting:
            # Only when every certificate that meets it ends soon is the requirement at risk.
            if all(_ends_soon(c, as_of, rules.expiring_within_days) for c in meeting):
                soon.append(requirement.key)
            continue
        missing.append(requirement.key)
        if any(is_expired(h.certificate, as_of, policy) for h in candidates):
            expired.append(requirement.key)
    next_review = (
        approval.approved_on + timedelta(days=rules.review_every_days)
        if approval.approved_on is not None and approval.state is ApprovalState.ACTIVE
        else None
    )
    if approval.suspended:
        status = OnboardingStatus.SUSPENDED
    elif approval.state is ApprovalState.ACTIVE:
        if expired or (next_review is not None and next_review < as_of):
            status = OnboardingStatus.EXPIRED
        elif missing:
            status = OnboardingStatus.INCOMPLETE
        else:
            status = OnboardingStatus.APPROVED
    elif approval.state is ApprovalState.LAPSED and expired:
        status = OnboardingStatus.EXPIRED
    elif missing:
        status = OnboardingStatus.INCOMPLETE
    else:
        status = OnboardingStatus.READY_FOR_REVIEW
    return OnboardingState(status, tuple(missing), tuple(expired), tuple(soon), next_review)


def lines_held_for_onboarding(device_classes: Sequence[str], approved: bool, policy: Policy) -> bool:
    """Whether an order with lines of ``device_classes`` is held for an unapproved file.

    Parameters:
        device_classes: the classes of the order's lines.
        approved: whether the customer's onboarding is APPROVED.
        policy: the policy (``onboarding.hold_orders``, ``onboarding.exempt_classes``).

    Returns:
        True when holding is on, the file is not approved and a line is of a class not exempt.
    """
    rules = policy.onboarding
    if approved or not rules.hold_orders:
        return False
    return any(c not in rules.exempt_classes for c in device_classes)
