"""The automatic limit: where the scorecard puts a limit, from the anchor and today's score.

The anchor is the limit a person last set (at onboarding, by ``setCreditLimit`` or by
approving a limit request). The automatic limit depends on the anchor and today's
recommendation only, never on earlier automatic limits, so it does not matter in which
order history arrives: a year of invoices imported at once, shuffled, or recorded day
by day ends with the same limit. It follows the score both ways: down as soon as the
recommendation drops below the anchor, back up (as far as the anchor plus the
automatic step) when it rises, and beyond the step only through an approved request.
"""

from __future__ import annotations

from decimal import Decimal

from scoring.codes import LimitDecisionKind
from scoring.limits import LimitDecision, auto_increase_step
from scoring.policy import Policy


def automatic_limit(anchor: Decimal, recommended: Decimal | None, policy: Policy) -> LimitDecision:
    """Decide the limit the scorecard sets today.

    Parameters:
        anchor: the limit a person last set.
        recommended: ``Assessment.recommended_limit``, or None while the customer has
            too little trading history for a recommendation (the anchor stands).
        policy: the credit policy (``limits``).

    Returns:
        ``LimitDecision`` whose ``new_limit`` is the limit to hold now; for
        ``INCREASE_NEEDS_APPROVAL`` ``proposed_limit`` is what a person is asked to grant.
    """
    if recommended is None:
        return LimitDecision(
            LimitDecisionKind.UNCHANGED, anchor, anchor, "too little trading history: the limit set by a person stands"
        )
    if recommended == anchor:
        return LimitDecision(LimitDecisionKind.UNCHANGED, anchor, anchor, "recommendation equals the limit")
    if recommended < anchor:
        return LimitDecision(
            LimitDecisionKind.DECREASE_APPLIED,
            recommended,
            recommended,
            f"limit follows the recommendation of {recommended:,.2f} (below the {anchor:,.2f} set by a person)",
        )
    step = auto_increase_step(anchor, policy)
    increase = recommended - anchor
    if increase <= step:
        return LimitDecision(
            LimitDecisionKind.INCREASE_APPLIED,
            recommended,
            recommended,
            f"increase of {increase:,.2f} over {anchor:,.2f} is within the automatic step of {step:,.2f}",
        )
    role = policy.limits.approval_role
    return LimitDecision(
        LimitDecisionKind.INCREASE_NEEDS_APPROVAL,
        anchor,
        recommended,
        f"increase of {increase:,.2f} exceeds the automatic step of {step:,.2f}; awaiting {role.name} approval",
        approver_role=role,
    )
