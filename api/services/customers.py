"""Customers: validation and creation rules, over the customer store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from bson import ObjectId

from api.errors import MAX_AMOUNT, ErrorCode, InvalidInput, Problem, invalid
from api.store import customers as store
from api.store.connection import Database
from verification.uscc import is_valid_uscc, normalize_uscc


class CustomerType(Enum):
    HOSPITAL = "HOSPITAL"
    DISTRIBUTOR = "DISTRIBUTOR"
    AGENT = "AGENT"
    RETAILER = "RETAILER"
    MANUFACTURER = "MANUFACTURER"
    OTHER = "OTHER"


MAX_PAYMENT_TERM_DAYS = 365


@dataclass(frozen=True, slots=True)
class NewCustomer:
    code: str
    legal_name: str
    type: CustomerType
    uscc: str | None = None
    region: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    payment_term_days: int = 60
    credit_limit: Decimal = Decimal("0")


def _problems(new: NewCustomer) -> list[Problem]:
    problems: list[Problem] = []
    if not new.code.strip():
        problems.append(Problem("Customer code must not be empty.", ErrorCode.REQUIRED, "code"))
    if not new.legal_name.strip():
        problems.append(Problem("Legal name must not be empty.", ErrorCode.REQUIRED, "legalName"))
    if new.uscc is not None and new.uscc.strip() and not is_valid_uscc(new.uscc):
        problems.append(
            Problem(
                f"'{new.uscc}' is not a valid unified social credit code (check characters fail).",
                ErrorCode.INVALID_CHECKSUM,
                "uscc",
            )
        )
    if not new.credit_limit.is_finite() or new.credit_limit < 0:
        problems.append(Problem("Credit limit must be zero or more.", ErrorCode.NEGATIVE_AMOUNT, "creditLimit"))
    elif new.credit_limit >= MAX_AMOUNT:
        problems.append(Problem("Credit limit is too large.", ErrorCode.TOO_LARGE, "creditLimit"))
    elif new.credit_limit != new.credit_limit.quantize(Decimal("0.01")):
        problems.append(Problem("Credit limit must be in whole cents.", ErrorCode.INVALID, "creditLimit"))
    if not 0 <= new.payment_term_days <= MAX_PAYMENT_TERM_DAYS:
        problems.append(
            Problem(
                f"Payment terms must be between 0 and {MAX_PAYMENT_TERM_DAYS} days.",
                ErrorCode.INVALID,
                "paymentTermDays",
            )
        )
    if not isinstance(new.attributes, dict):
        problems.append(Problem("Attributes must be a JSON object.", ErrorCode.INVALID, "attributes"))
    return problems


async def create_customer(db: Database, new: NewCustomer, *, actor: str) -> dict[str, Any]:
    """Validate and store a new customer.

    Raises:
        InvalidInput: empty code or name, bad credit code, negative limit, or a code or
            credit code another customer already holds.
    Returns:
        The stored customer document.
    """
    problems = _problems(new)
    if problems:
        raise InvalidInput(*problems)
    now = datetime.now(UTC)
    document: dict[str, Any] = {
        "code": new.code.strip(),
        "legal_name": new.legal_name.strip(),
        "type": new.type.value,
        "region": new.region.strip() if new.region else None,
        "attributes": new.attributes,
        "payment_term_days": new.payment_term_days,
        "credit_limit": new.credit_limit.quantize(Decimal("0.01")),
        "blocked": False,
        "created_at": now,
        "created_by": actor,
    }
    if new.uscc and new.uscc.strip():
        # Absent rather than null, so the partial unique index ignores customers without one.
        document["uscc"] = normalize_uscc(new.uscc)
    try:
        return await store.insert_customer(db, document)
    except store.DuplicateCustomer as exc:
        field_name = "uscc" if exc.field == "uscc" else "code"
        value = document.get(exc.field)
        raise invalid(f"Another customer already has {field_name} '{value}'.", ErrorCode.DUPLICATE, field_name) from exc


async def require_customer(db: Database, oid: ObjectId | None, field_name: str = "customerId") -> dict[str, Any]:
    """Return the customer or raise the user error a client sees for an unknown id."""
    customer = await store.get_customer(db, oid) if oid is not None else None
    if customer is None:
        raise invalid("No customer with this id.", ErrorCode.NOT_FOUND, field_name)
    return customer
