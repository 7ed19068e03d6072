"""Credit notes: a return or price adjustment reduces what the customer owes, exactly.

A note reduces the invoice it names (or the oldest open ones, as a payment would);
whatever no open invoice absorbs stays on the account as credit for later invoices.
It is recorded once per number, under the customer's credit lock, like invoices and
payments, and RETURN notes feed the scorecard's returns rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from bson import ObjectId

from infra.runtime import Runtime
from services.credit import locked_customer
from services.customers import require_customer
from services.errors import MAX_CODE_CHARS, ErrorCode, InvalidInput, Problem, invalid, too_long
from services.facts import to_invoice
from services.ledger import _allocations, _apply, _money, refresh_balances
from services.requests import request_rescore
from store import credit_notes as store
from store import customers as customer_store
from store import dates
from store import ledger as ledger_store
from store.connection import Database

ZERO = Decimal("0.00")


class CreditNoteReason(Enum):
    RETURN = "RETURN"
    PRICE_ADJUSTMENT = "PRICE_ADJUSTMENT"
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class CreditNoteRequest:
    customer_id: ObjectId | None
    number: str
    amount: Decimal
    issued_on: date
    reason: CreditNoteReason
    invoice_number: str | None = None


def _same(existing: dict[str, Any], request: CreditNoteRequest, amount: Decimal) -> bool:
    return (
        existing["amount"] == amount
        and existing["issued_on"] == dates.to_bson(request.issued_on)
        and existing["reason"] == request.reason.value
        and existing.get("invoice_number") == ((request.invoice_number or "").strip() or None)
    )


async def record_credit_note(rt: Runtime, request: CreditNoteRequest, *, actor: str) -> tuple[dict[str, Any], bool]:
    """Record a credit note once; returns the customer and whether anything changed.

    Raises:
        InvalidInput: unknown customer or invoice, empty number, non-positive amount, or
            the number already used with different contents.
    """
    problems: list[Problem] = []
    number = request.number.strip()
    if not number:
        problems.append(Problem("Credit note number must not be empty.", ErrorCode.REQUIRED, "number"))
    for value, field in ((number, "number"), (request.invoice_number, "invoiceNumber")):
        if problem := too_long(value, MAX_CODE_CHARS, field):
            problems.append(problem)
    try:
        amount = _money(request.amount, "amount")
    except InvalidInput as exc:
        problems.extend(exc.problems)
    if problems:
        raise InvalidInput(*problems)
    db = rt.db
    customer = await require_customer(db, request.customer_id)
    oid = customer["_id"]
    named = (request.invoice_number or "").strip() or None
    async with locked_customer(db, oid) as customer:
        existing = await store.get_credit_note(db, oid, number)
        if existing is not None:
            if not _same(existing, request, amount):
                raise invalid(
                    f"Credit note {number} is already recorded with a different amount, date, reason or invoice.",
                    ErrorCode.DUPLICATE,
                    "number",
                )
            if not existing.get("applied"):
                await _finish(db, oid, existing, request.issued_on)
            else:
                await refresh_balances(db, oid)
        else:
            document = await _new_note(db, customer, request, number, amount, named, actor)
            await _finish(db, oid, document, request.issued_on)
    await request_rescore(rt, oid, "credit note recorded" if existing is None else "credit note recorded again")
    return customer, existing is None


async def _new_note(
    db: Database,
    customer: dict[str, Any],
    request: CreditNoteRequest,
    number: str,
    amount: Decimal,
    named: str | None,
    actor: str,
) -> dict[str, Any]:
    """Allocate and store a first-time note (the caller holds the credit lock)."""
    oid = customer["_id"]
    open_docs = await ledger_store.invoices_of(db, oid, open_only=True)
    if named is not None and await ledger_store.get_invoice(db, oid, named) is None:
        raise invalid(f"No invoice {named} for this customer.", ErrorCode.NOT_FOUND, "invoiceNumber")
    open_invoices = [to_invoice(d) for d in open_docs]
    if named is not None:
        # A note names the invoice it corrects; nothing else of the customer's is reduced.
        target = [inv for inv in open_invoices if inv.number == named]
        rows, remaining = _allocations(target, amount, ()) if target else ([], amount)
    else:
        rows, remaining = _allocations(open_invoices, amount, ())
    credited = {d["number"]: d.get("credited", ZERO) for d in open_docs}
    for row in rows:
        row["credited_after"] = credited.get(row["invoice_number"], ZERO) + row["amount"]
    document = {
        "_id": ledger_store.ledger_key(oid, number),
        "customer_id": oid,
        "number": number,
        "amount": amount,
        "issued_on": dates.to_bson(request.issued_on),
        "reason": request.reason.value,
        "invoice_number": named,
        "allocations": rows,
        "unapplied": remaining,
        "applied": False,
        "created_at": datetime.now(UTC),
        "created_by": actor,
    }
    # Stored before the invoices change, so a crash in between is finished by the retry.
    await store.insert_credit_note(db, document)
    return document


async def _finish(db: Database, oid: ObjectId, note: dict[str, Any], on: date) -> None:
    """Apply a stored note's allocations and credit (each step absolute, so repeatable)."""
    await _apply(db, oid, note["allocations"], on)
    for row in note["allocations"]:
        await store.credit_invoice(db, oid, row["invoice_number"], row["credited_after"])
    customer = await customer_store.get_customer_fields(db, oid, ("unapplied_credit", "credited_payments"))
    remainder = note.get("unapplied", ZERO)
    key = f"credit-note:{note['number']}"
    if remainder > 0 and key not in (customer or {}).get("credited_payments", []):
        credit = (customer or {}).get("unapplied_credit", ZERO) + remainder
        await refresh_balances(db, oid, credit, credited_payment=key)
    else:
        await refresh_balances(db, oid)
    await store.mark_applied(db, oid, note["number"])
