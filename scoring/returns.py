"""The returns rate from the ledger: value credited for returns ÷ value invoiced."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from scoring.ledger import ZERO, Invoice

# A month of the window, as the scorecard's other windows count it.
_DAYS_PER_MONTH = 30


@dataclass(frozen=True, slots=True)
class ReturnNote:
    """A credit note issued for returned goods."""

    issued_on: date
    amount: Decimal


def returns_rate(invoices: Sequence[Invoice], returns: Sequence[ReturnNote], as_of: date, months: int) -> float | None:
    """Returned value ÷ invoiced value over the last ``months`` (of 30 days) up to ``as_of``.

    Parameters:
        invoices: the customer's invoices (their billed amounts count, paid or not).
        returns: the customer's RETURN credit notes.
        as_of: the scoring day.
        months: the window (``lifecycle.returns_window_months``).

    Returns:
        The rate (0 and up; above 1 when more came back than was billed in the window),
        or None when nothing was invoiced in the window: then the ledger says nothing
        and the caller falls back to a hand-typed figure.
    """
    start = as_of - timedelta(days=_DAYS_PER_MONTH * months)
    invoiced = sum((inv.amount for inv in invoices if start < inv.issued_on <= as_of), ZERO)
    if invoiced <= 0:
        return None
    returned = sum((note.amount for note in returns if start < note.issued_on <= as_of), ZERO)
    return float(returned / invoiced)
