"""The credit profile: limit, exposure, available credit and aging for one customer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from scoring import ledger as receivables
from services.errors import ErrorCode, invalid
from services.facts import to_invoice
from store import customers as customer_store
from store import ledger as ledger_store
from store.connection import Database
from store.locks import LockTimeout, credit_lock

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Profile:
    limit: Decimal
    exposure: Decimal
    available: Decimal
    payment_term_days: int
    aging: receivables.AgingBuckets


@asynccontextmanager
async def locked_customer(db: Database, customer_id: Any) -> AsyncIterator[dict[str, Any]]:
    """Hold the customer's credit lock (``store.locks``); yields the customer as it is now.

    Raises:
        InvalidInput: (code RETRY) the lock stayed busy too long: the same request may be sent again.
    """
    async with AsyncExitStack() as stack:
        try:
            customer = await stack.enter_async_context(credit_lock(db, customer_id))
        except LockTimeout as exc:
            raise invalid(
                "This customer is busy with other changes; send the same request again.",
                ErrorCode.RETRY,
                "customerId",
            ) from exc
        yield customer


def exposure_of(customer: dict[str, Any]) -> Decimal:
    """Open receivables plus approved orders not yet invoiced (domain.md's exposure)."""
    return customer.get("open_receivables", ZERO) + customer.get("orders_reserved", ZERO)


def keeps_open_items(customer: dict[str, Any]) -> bool:
    """Whether the ledger keeps this customer's open items on it (``services.ledger.refresh_balances``).

    Customers whose ledger has not changed since open items were introduced have none:
    their profile needs their invoices.
    """
    return "open_items" in customer


def profile_from(customer: dict[str, Any], invoices: list[dict[str, Any]] | None, today: date) -> Profile:
    """The credit profile of a stored customer on ``today``.

    Aging comes from ``invoices`` (open ones count) or, when None, from the open items
    kept on the customer, so a page of customers reads no invoices.
    """
    if invoices is None:
        items = [(date.fromisoformat(day), Decimal(amount)) for day, amount in customer.get("open_items", ())]
    else:
        items = [(inv.due_on, inv.open_amount) for inv in (to_invoice(d) for d in invoices if d.get("open"))]
    limit = customer.get("credit_limit", ZERO)
    exposure = exposure_of(customer)
    return Profile(
        limit=limit,
        exposure=exposure,
        available=limit - exposure,
        payment_term_days=customer_store.payment_term_days(customer),
        aging=receivables.aging_of_items(items, today),
    )


async def credit_profile(db: Database, customer: dict[str, Any], *, today: date) -> Profile:
    """Return the customer's credit position as of ``today``."""
    if keeps_open_items(customer):
        return profile_from(customer, None, today)
    invoices = await ledger_store.invoices_of(db, customer["_id"], open_only=True)
    return profile_from(customer, invoices, today)
