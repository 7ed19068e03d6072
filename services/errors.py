"""Failures a user can cause, carried as data up to the GraphQL payloads.

Services raise ``InvalidInput`` with one or more ``Problem``s; ``schema.errors``
turns them into ``UserError``s. Anything else that goes wrong is the system's fault
and stays a top-level GraphQL error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from common.errors import MedcreditError
from scoring.errors import ScoringErrorCode
from scoring.money import amount_fault
from verification.types import DocumentErrorCode


class ErrorCode(Enum):
    """The mistakes a request can make that no domain package names; clients branch on them.

    Upload faults come from ``verification.DocumentErrorCode`` and amount faults from
    ``scoring.errors.ScoringErrorCode``; ``schema.enums`` exposes all three as the one
    GraphQL ``ErrorCode``, so a name appears once, in the package that decides it.
    """

    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    # The same request was made before and already took effect; nothing changed now.
    ALREADY_RECORDED = "ALREADY_RECORDED"
    INVALID_CHECKSUM = "INVALID_CHECKSUM"
    INVALID_DATE_RANGE = "INVALID_DATE_RANGE"
    INVALID_STATE = "INVALID_STATE"
    # The caller's role may not do this part of the request (e.g. grant credit).
    FORBIDDEN = "FORBIDDEN"
    # A text is longer than its stated limit.
    TOO_LONG = "TOO_LONG"
    # The customer is busy with other changes right now: send the same request again.
    RETRY = "RETRY"


# Every code a ``Problem`` may carry: the request's own and the domain packages'.
type Code = ErrorCode | ScoringErrorCode | DocumentErrorCode


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    code: Code
    field: str | None = None


class InvalidInput(MedcreditError):
    """The request cannot be carried out as asked; nothing was changed."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def invalid(message: str, code: Code = ErrorCode.INVALID, field: str | None = None) -> InvalidInput:
    """Shorthand for an ``InvalidInput`` with a single problem."""
    return InvalidInput(Problem(message=message, code=code, field=field))


# Text limits, stated in the schema's descriptions: longer input is a TOO_LONG user error.
MAX_CODE_CHARS = 64  # customer codes, external references, invoice numbers, SKUs
MAX_NAME_CHARS = 200  # legal names, regions
MAX_NOTE_CHARS = 2000  # reasons and notes
MAX_ATTRIBUTE_CHARS = 500  # each free attribute value
MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_DEPTH = 3


def too_long(value: str | None, limit: int, field: str) -> Problem | None:
    """A TOO_LONG problem when ``value`` has more than ``limit`` characters."""
    if value is not None and len(value) > limit:
        return Problem(f"At most {limit} characters (got {len(value)}).", ErrorCode.TOO_LONG, field)
    return None


def amount_problem(value: Decimal, field: str, *, label: str = "Amount", zero_allowed: bool = False) -> Problem | None:
    """The problem with an amount the user gave (``scoring.money`` decides), or None.

    ``label`` starts the message ("Limit", "Line 2: unit price"); ``zero_allowed`` is
    True for limits and prices, False for documents that move money.
    """
    fault = amount_fault(value, zero_allowed=zero_allowed)
    return None if fault is None else Problem(f"{label} {fault.reason}.", fault.code, field)
