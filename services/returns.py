"""The scorecard's returns rate, read from the ledger's RETURN credit notes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from scoring.policy import Policy
from scoring.returns import ReturnNote, returns_rate
from scoring.scorecard import CustomerSnapshot
from services.facts import to_invoice
from store import dates


def returns_since(today: date, policy: Policy) -> date:
    """The first day of the returns window: credit notes from then on count."""
    return today - timedelta(days=31 * policy.lifecycle.returns_window_months)


def with_ledger_returns(
    snapshot: CustomerSnapshot,
    invoices: list[dict[str, Any]],
    notes: list[dict[str, Any]],
    today: date,
    policy: Policy,
) -> CustomerSnapshot:
    """The snapshot with the returns rate the ledger shows (``notes``: the customer's
    credit notes since ``returns_since``); unchanged when the customer invoiced nothing
    in the window (then ``attributes.returns_rate`` stands)."""
    months = policy.lifecycle.returns_window_months
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
