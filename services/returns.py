"""The scorecard's returns rate, read from the ledger's RETURN credit notes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from scoring.policy import Policy
from scoring.returns import ReturnNote, returns_rate
from scoring.scorecard import CustomerSnapshot
from services.facts import to_invoice
from store import credit_notes as store
from store import dates
from store.connection import Database


async def with_ledger_returns(
    db: Database,
    snapshot: CustomerSnapshot,
    customer_id: Any,
    invoices: list[dict[str, Any]],
    today: date,
    policy: Policy,
) -> CustomerSnapshot:
    """The snapshot with the returns rate the ledger shows; unchanged when the customer
    invoiced nothing in the window (then ``attributes.returns_rate`` stands)."""
    months = policy.lifecycle.returns_window_months
    notes = await store.credit_notes_of(db, customer_id, since=today - timedelta(days=31 * months))
    rate = returns_rate(
        [to_invoice(d) for d in invoices],
        [
            ReturnNote(dates.from_bson(n["issued_on"]), n["amount"])  # type: ignore[arg-type]
            for n in notes
            if n["reason"] == "RETURN"
        ],
        today,
        months,
    )
    return snapshot if rate is None else replace(snapshot, returns_rate=rate)
