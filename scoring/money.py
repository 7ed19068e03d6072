"""Money as the whole application takes it in: a Decimal in whole cents, below a ceiling.

Every amount a user gives (limits, invoices, payments, credit notes, unit prices) is
judged here, so "what is a valid amount" has one answer. The caller names the field
and words the message; this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from scoring.errors import ScoringErrorCode

CENT = Decimal("0.01")
# Larger amounts are typing mistakes, and past 28 digits Decimal cannot even quantize.
MAX_AMOUNT = Decimal("1000000000000000")


@dataclass(frozen=True, slots=True)
class AmountFault:
    """Why an amount is refused: a code for clients and the end of a sentence for people."""

    code: ScoringErrorCode
    reason: str


def amount_fault(value: Decimal, *, zero_allowed: bool) -> AmountFault | None:
    """Judge an amount; None when it is acceptable.

    Parameters:
        value: the amount as given.
        zero_allowed: True for limits and prices (zero is meaningful), False for
            invoices, payments and credit notes (a zero document records nothing).

    Returns:
        None, or the first fault: not a finite amount above (or at) zero, at or over
        ``MAX_AMOUNT``, or a fraction of a cent.
    """
    if not value.is_finite() or value < 0 or (value == 0 and not zero_allowed):
        return AmountFault(
            ScoringErrorCode.NEGATIVE_AMOUNT, "must be zero or more" if zero_allowed else "must be more than zero"
        )
    if value >= MAX_AMOUNT:
        return AmountFault(ScoringErrorCode.TOO_LARGE, "is too large")
    if value != value.quantize(CENT):
        return AmountFault(ScoringErrorCode.INVALID, "must be in whole cents")
    return None
