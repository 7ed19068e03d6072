"""Enums of the scoring domain that the GraphQL layer re-exports with ``strawberry.enum``.

Member names equal the contract's GraphQL names and values equal the names, so the
schema never redefines them.
"""

from __future__ import annotations

from enum import Enum


class Severity(Enum):
    """How urgent a warning or risk event is; orderable (``INFO < ... < CRITICAL``)."""

    INFO = "INFO"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        """Position on the ladder, 0 (INFO) to 4 (CRITICAL)."""
        return _SEVERITY_RANK[self.value]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


_SEVERITY_RANK = {name: i for i, name in enumerate(("INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"))}


class RiskGrade(Enum):
    """Scorecard grade; A is the best, E the worst (prepayment only)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"

    @property
    def rank(self) -> int:
        """0 for A (best) to 4 for E (worst)."""
        return "ABCDE".index(self.value)


class HoldReason(Enum):
    """Why the order gate held an order; an order lists every reason that applies."""

    CREDIT_LIMIT = "CREDIT_LIMIT"
    OVERDUE = "OVERDUE"
    QUALIFICATION_MISSING = "QUALIFICATION_MISSING"
    QUALIFICATION_EXPIRED = "QUALIFICATION_EXPIRED"
    SCOPE_NOT_COVERED = "SCOPE_NOT_COVERED"
    CUSTOMER_BLOCKED = "CUSTOMER_BLOCKED"
    # The order fits the customer's own limit but not its group's (related parties).
    GROUP_LIMIT = "GROUP_LIMIT"
    # The policy wants payment in advance (a grade or a warning); none came with the order.
    PREPAYMENT_REQUIRED = "PREPAYMENT_REQUIRED"
    # The customer's onboarding file is not APPROVED (scoring.onboarding; [onboarding] in the policy).
    ONBOARDING_INCOMPLETE = "ONBOARDING_INCOMPLETE"


class QualificationStatus(Enum):
    """Summary of a customer's licences for the scorecard (not a GraphQL enum yet)."""

    VALID = "VALID"
    EXPIRING = "EXPIRING"
    EXPIRED = "EXPIRED"
    MISSING = "MISSING"


class LimitDecisionKind(Enum):
    """What the limit policy did with a recommended limit."""

    UNCHANGED = "UNCHANGED"
    DECREASE_APPLIED = "DECREASE_APPLIED"
    INCREASE_APPLIED = "INCREASE_APPLIED"
    INCREASE_NEEDS_APPROVAL = "INCREASE_NEEDS_APPROVAL"


class CustomerType(Enum):
    """What kind of buyer a customer is; onboarding standards and the scorecard differ by it."""

    HOSPITAL = "HOSPITAL"
    DISTRIBUTOR = "DISTRIBUTOR"
    AGENT = "AGENT"
    RETAILER = "RETAILER"
    MANUFACTURER = "MANUFACTURER"
    OTHER = "OTHER"


class OrderStatus(Enum):
    """Where the order gate left an order (and whether it was cancelled since)."""

    APPROVED = "APPROVED"
    HELD = "HELD"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
