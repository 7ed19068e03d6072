"""Exceptions of the scoring package; all share the base class ``ScoringError``."""

from __future__ import annotations

from enum import Enum

from common.errors import MedcreditError


class ScoringErrorCode(Enum):
    """The user mistakes the scoring rules name (they join the GraphQL ``ErrorCode``)."""

    NEGATIVE_AMOUNT = "NEGATIVE_AMOUNT"
    TOO_LARGE = "TOO_LARGE"
    # A fraction of a cent: malformed, as the request-level INVALID (one GraphQL value).
    INVALID = "INVALID"


class ScoringError(MedcreditError):
    """Base class of every error the scoring package raises."""


class PolicyError(ScoringError):
    """The policy file is malformed or inconsistent; the message names the key."""


class LedgerError(ScoringError):
    """A receivables operation was asked something impossible (e.g. a negative payment)."""


class UnknownInvoiceError(LedgerError):
    """A payment named invoice numbers that are not among the open invoices."""

    def __init__(self, numbers: tuple[str, ...]) -> None:
        self.numbers = numbers
        super().__init__(f"unknown or already settled invoice(s): {', '.join(numbers)}")
