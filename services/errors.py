"""Failures a user can cause, carried as data up to the GraphQL payloads.

Services raise ``InvalidInput`` with one or more ``Problem``s; ``schema.errors``
turns them into ``UserError``s. Anything else that goes wrong is the system's fault
and stays a top-level GraphQL error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class ErrorCode(Enum):
    """What kind of mistake a ``UserError`` reports, so clients can branch on it."""

    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    # The same request was made before and already took effect; nothing changed now.
    ALREADY_RECORDED = "ALREADY_RECORDED"
    INVALID_CHECKSUM = "INVALID_CHECKSUM"
    NEGATIVE_AMOUNT = "NEGATIVE_AMOUNT"
    INVALID_DATE_RANGE = "INVALID_DATE_RANGE"
    INVALID_STATE = "INVALID_STATE"
    # Upload problems, named as verification.types.DocumentErrorCode names them.
    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"
    EMPTY_FILE = "EMPTY_FILE"
    TOO_LARGE = "TOO_LARGE"
    TOO_MANY_PAGES = "TOO_MANY_PAGES"
    CORRUPT = "CORRUPT"
    ENCRYPTED = "ENCRYPTED"
    UNREADABLE = "UNREADABLE"
    # The caller's role may not do this part of the request (e.g. grant credit).
    FORBIDDEN = "FORBIDDEN"
    # A text is longer than its stated limit.
    TOO_LONG = "TOO_LONG"
    # The customer is busy with other changes right now: send the same request again.
    RETRY = "RETRY"


# Larger amounts are typing mistakes, and past 28 digits Decimal cannot even quantize.
MAX_AMOUNT = Decimal("1000000000000000")


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    code: ErrorCode
    field: str | None = None


class InvalidInput(Exception):
    """The request cannot be carried out as asked; nothing was changed."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def invalid(message: str, code: ErrorCode = ErrorCode.INVALID, field: str | None = None) -> InvalidInput:
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
