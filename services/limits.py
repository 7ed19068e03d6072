"""Manual credit-limit changes by people allowed to make them, always with a reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bson import ObjectId

from infra.runtime import Runtime
from scoring.money import CENT
from services.credit import locked_customer
from services.customers import require_customer
from services.errors import ErrorCode, InvalidInput, Problem, amount_problem
from services.rescoring import record_limit_change
from store import customers as customer_store


async def set_credit_limit(
    rt: Runtime, customer_id: ObjectId | None, limit: Decimal, reason: str, *, actor: str
) -> dict[str, Any]:
    """Set the limit (replacing any pending proposal) and keep who, when, before, after, why.

    Raises:
        InvalidInput: unknown customer, negative or fractional-cent limit, empty reason.
    """
    problems = []
    if problem := amount_problem(limit, "limit", label="Limit", zero_allowed=True):
        problems.append(problem)
    if not reason.strip():
        problems.append(Problem("A reason is required for every limit change.", ErrorCode.REQUIRED, "reason"))
    if problems:
        raise InvalidInput(*problems)
    customer = await require_customer(rt.db, customer_id)
    oid = customer["_id"]
    async with locked_customer(rt.db, oid) as customer:
        before = customer.get("credit_limit", Decimal("0.00"))
        after = limit.quantize(CENT)
        updated = await customer_store.set_fields_returning(
            rt.db,
            oid,
            # A person's limit is the anchor the automatic limit moves from (scoring.automatic_limits).
            {"credit_limit": after, "limit_proposal": None, "limit_anchor": after, "temporary_limit": None},
        )
        await record_limit_change(rt, oid, before=before, after=after, actor=actor, reason=reason.strip())
        assert updated is not None, "customers are never deleted, and we hold its credit lock"
        return updated
