"""The returns rate from the ledger, table-driven."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from scoring.ledger import Invoice
from scoring.returns import ReturnNote, returns_rate

DAY = date(2026, 6, 30)


def inv(days_ago: int, amount: str) -> Invoice:
    issued = DAY - timedelta(days=days_ago)
    return Invoice(number=f"I{days_ago}", amount=Decimal(amount), issued_on=issued, due_on=issued)


def ret(days_ago: int, amount: str) -> ReturnNote:
    return ReturnNote(DAY - timedelta(days=days_ago), Decimal(amount))


@pytest.mark.parametrize(
    ("invoices", "returns", "months", "expected"),
    [
        ([], [], 6, None),
        ([inv(10, "1000")], [], 6, 0.0),
        ([inv(10, "1000")], [ret(5, "100")], 6, 0.1),
        ([inv(10, "1000"), inv(200, "9000")], [ret(5, "100")], 6, 0.1),
        ([inv(10, "1000"), inv(200, "9000")], [ret(5, "100")], 7, 0.01),
        ([inv(10, "1000")], [ret(300, "100")], 6, 0.0),
        ([inv(400, "1000")], [ret(5, "100")], 6, None),
    ],
)
def test_returns_rate(invoices, returns, months, expected) -> None:  # type: ignore[no-untyped-def]
    assert returns_rate(invoices, returns, DAY, months) == (pytest.approx(expected) if expected is not None else None)
