"""Limit policy: which recommended limit changes apply automatically and which need approval."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from common.roles import Role
from scoring.codes import LimitDecisionKind
from scoring.policy import Policy


@dataclass(frozen=True, slots=True)
class LimitDecision:
    """Outcome of comparing the current limit with a recommendation.

    ``new_limit`` is the limit to store now; ``proposed_limit`` is the recommendation
    (for ``INCREASE_NEEDS_APPROVAL`` it is what the approver is asked to grant, and
    ``approver_role`` says who may grant it).
    """

    kind: LimitDecisionKind
    new_limit: Decimal
    proposed_limit: Decimal
    reason: str
    approver_role: Role | None = None


def auto_increase_step(current: Decimal, policy: Policy) -> Decimal:
    """Largest increase applied without approval for a customer at ``current``.

    Parameters:
        current: the limit in force.
        policy: the credit policy (``limits.auto_increase_*``).

    Returns:
        The smaller (or, per policy, larger) of ``current x ratio`` and the fixed amount.
    """
    lp = policy.limits
    by_ratio = current * lp.auto_increase_ratio
    if lp.auto_increase_rule == "larger":
        return max(by_ratio, lp.auto_increase_amount)
    return min(by_ratio, lp.auto_increase_amount)


def decide_limit_change(current: Decimal, recommended: Decimal, policy: Policy) -> LimitDecision:
    """Decide what to do with a recommended limit.

    Decreases are applied at once: exposure to a worsening customer must shrink
    without waiting for anyone. Increases up to the auto-increase step are applied;
    larger ones leave the limit unchanged and are proposed to the approver role
    (CREDIT_MANAGER by default), because a big jump in exposure needs a person.

    Parameters:
        current: the limit in force.
        recommended: ``Assessment.recommended_limit``.
        policy: the credit policy.

    Returns:
        ``LimitDecision``.
    """
    if recommended == current:
        return LimitDecision(LimitDecisionKind.UNCHANGED, current, recommended, "recommendation equals the limit")
    if recommended < current:
        return LimitDecision(
            LimitDecisionKind.DECREASE_APPLIED,
            recommended,
            recommended,
            f"limit lowered from {current:,.2f} to {recommended:,.2f} as recommended",
        )
    step = auto_increase_step(current, policy)
    increase = recommended - current
    if increase <= step:
        return LimitDecision(
            LimitDecisionKind.INCREASE_APPLIED,
            recommended,
            recommended,
            f"increase of {increase:,.2f} is within the automatic step of {step:,.2f}",
        )
    role = policy.limits.approval_role
    return LimitDecision(
        LimitDecisionKind.INCREASE_NEEDS_APPROVAL,
        current,
        recommended,
        f"increase of {increase:,.2f} exceeds the automatic step of {step:,.2f}; awaiting {role.name} approval",
        approver_role=role,
    )
