"""Customers: validation and creation rules, over the customer store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bson import ObjectId

from scoring.codes import CustomerType
from scoring.ledger import DEFAULT_PAYMENT_TERM_DAYS, MAX_PAYMENT_TERM_DAYS
from scoring.money import CENT
from services.errors import (
    MAX_ATTRIBUTE_CHARS,
    MAX_ATTRIBUTE_DEPTH,
    MAX_ATTRIBUTES,
    MAX_CODE_CHARS,
    MAX_NAME_CHARS,
    ErrorCode,
    InvalidInput,
    Problem,
    amount_problem,
    invalid,
    too_long,
)
from store import customers as store
from store.connection import Database

if TYPE_CHECKING:
    from infra.runtime import Runtime
from verification.uscc import is_valid_uscc, normalize_uscc


@dataclass(frozen=True, slots=True)
class NewCustomer:
    code: str
    legal_name: str
    type: CustomerType
    uscc: str | None = None
    region: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    payment_term_days: int = DEFAULT_PAYMENT_TERM_DAYS
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
    if problem := amount_problem(new.credit_limit, "creditLimit", label="Credit limit", zero_allowed=True):
        problems.append(problem)
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
    else:
        problems.extend(_attribute_problems(new.attributes))
    for value, limit, name in (
        (new.code, MAX_CODE_CHARS, "code"),
        (new.legal_name, MAX_NAME_CHARS, "legalName"),
        (new.region, MAX_NAME_CHARS, "region"),
        (new.uscc, MAX_CODE_CHARS, "uscc"),
    ):
        problem = too_long(value, limit, name)
        if problem is not None:
            problems.append(problem)
    return problems


def _attribute_problems(attributes: dict[str, Any]) -> list[Problem]:
    """Free attributes stay small and shallow: they are stored on every customer read."""
    problems: list[Problem] = []
    count = 0
    stack: list[tuple[Any, int]] = [(attributes, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_ATTRIBUTE_DEPTH:
                return [
                    Problem(f"Attributes nest at most {MAX_ATTRIBUTE_DEPTH} levels.", ErrorCode.INVALID, "attributes")
                ]
            count += len(value)
            stack.extend((v, depth + 1) for v in value.values())
            stack.extend((k, depth) for k in value)
        elif isinstance(value, list):
            if depth > MAX_ATTRIBUTE_DEPTH:
                return [
                    Problem(f"Attributes nest at most {MAX_ATTRIBUTE_DEPTH} levels.", ErrorCode.INVALID, "attributes")
                ]
            count += len(value)
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, str) and len(value) > MAX_ATTRIBUTE_CHARS:
            return [
                Problem(
                    f"Attribute values are at most {MAX_ATTRIBUTE_CHARS} characters.", ErrorCode.TOO_LONG, "attributes"
                )
            ]
    if count > MAX_ATTRIBUTES:
        problems.append(Problem(f"At most {MAX_ATTRIBUTES} attribute entries.", ErrorCode.INVALID, "attributes"))
    return problems


async def create_customer(rt: Runtime, new: NewCustomer, *, actor: str, may_grant_credit: bool) -> dict[str, Any]:
    """Validate and store a new customer; a starting limit is recorded like any limit change.

    ``may_grant_credit`` says whether the caller holds a role that grants credit
    (CREDIT_MANAGER, ADMIN): whoever onboards a customer may not also decide its credit.

    Raises:
        InvalidInput: empty code or name, bad credit code, negative limit, a non-zero
            limit from a role that may not grant credit, or a code or credit code another
            customer already holds.
    Returns:
        The stored customer document.
    """
    from services.rescoring import record_limit_change  # rescoring sits above customers

    problems = _problems(new)
    if new.credit_limit.is_finite() and new.credit_limit > 0 and not may_grant_credit:
        problems.append(
            Problem(
                "Only a credit manager or an administrator may grant credit: create the customer "
                "with creditLimit 0 and ask them to set a limit.",
                ErrorCode.FORBIDDEN,
                "creditLimit",
            )
        )
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
        "credit_limit": new.credit_limit.quantize(CENT),
        "blocked": False,
        "created_at": now,
        "created_by": actor,
    }
    if new.uscc and new.uscc.strip():
        # Absent rather than null, so the partial unique index ignores customers without one.
        document["uscc"] = normalize_uscc(new.uscc)
    try:
        stored = await store.insert_customer(rt.db, document)
    except store.DuplicateCustomer as exc:
        field_name = "uscc" if exc.field == "uscc" else "code"
        value = document.get(exc.field)
        raise invalid(f"Another customer already has {field_name} '{value}'.", ErrorCode.DUPLICATE, field_name) from exc
    if stored["credit_limit"] > 0:
        await record_limit_change(
            rt,
            stored["_id"],
            before=Decimal("0.00"),
            after=stored["credit_limit"],
            actor=actor,
            reason="starting limit",
        )
    return stored


async def require_customer(db: Database, oid: ObjectId | None, field_name: str = "customerId") -> dict[str, Any]:
    """Return the customer or raise the user error a client sees for an unknown id."""
    customer = await store.get_customer(db, oid) if oid is not None else None
    if customer is None:
        raise invalid("No customer with this id.", ErrorCode.NOT_FOUND, field_name)
    return customer
