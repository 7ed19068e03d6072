"""Go-live: a company's years of receivables from its ERP, imported once or again.

Two CSV files: invoices (``customer_code,number,amount,issued_on,due_on``) and
payments (``customer_code,reference,amount,received_on,invoice_numbers``, the numbers
separated by ``;``). Every row is checked first, against the file and the database;
when any row is rejected nothing is applied and each rejection is reported with its
line and reason. Otherwise the rows are applied in the order they happened (by day,
the day's invoices before its payments), whatever order the files list them in, so an
import gives the ledger that recording the history day by day would have given. Each
row is idempotent (an invoice per number, a payment per reference): importing the same
files again changes nothing. Finally each customer touched is rescored once; automatic
limits depend on the final history only (``scoring.automatic_limits``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bson import ObjectId

from infra.runtime import Runtime
from scoring.money import CENT, amount_fault
from services import ledger as ledger_service
from services import rescoring
from services.errors import MAX_CODE_CHARS, InvalidInput
from store import customers as customer_store
from store import dates
from store import ledger as ledger_store

INVOICE_COLUMNS = ("customer_code", "number", "amount", "issued_on", "due_on")
PAYMENT_COLUMNS = ("customer_code", "reference", "amount", "received_on", "invoice_numbers")


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    line: int
    customer_code: str
    number: str
    amount: Decimal
    issued_on: date
    due_on: date


@dataclass(frozen=True, slots=True)
class PaymentRow:
    line: int
    customer_code: str
    reference: str
    amount: Decimal
    received_on: date
    invoice_numbers: tuple[str, ...]


@dataclass
class ImportReport:
    """What an import did: rows new and already recorded, and every rejected row."""

    invoices_new: int = 0
    invoices_known: int = 0
    payments_new: int = 0
    payments_known: int = 0
    customers_rescored: int = 0
    rejected: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, reason)


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"amount {text!r} is not a number") from None
    if fault := amount_fault(value, zero_allowed=False):
        raise ValueError(f"amount {fault.reason}")
    return value.quantize(CENT)


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None


def _rows(text: str, columns: tuple[str, ...], label: str, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns[:4] if c not in (reader.fieldnames or [])]
    if missing:
        report.rejected.append((label, 1, f"header lacks {', '.join(missing)} (expected {','.join(columns)})"))
        return []
    return [(i + 2, {k: (v or "") for k, v in row.items() if k}) for i, row in enumerate(reader)]


def parse_invoices(text: str, report: ImportReport, label: str = "invoices") -> list[InvoiceRow]:
    """Rows of the invoice file; the bad ones go to ``report.rejected``."""
    rows = []
    for line, raw in _rows(text, INVOICE_COLUMNS, label, report):
        try:
            code, number = raw["customer_code"].strip(), raw["number"].strip()
            if not code or not number:
                raise ValueError("customer_code and number are required")
            if len(number) > MAX_CODE_CHARS:
                raise ValueError(f"number has more than {MAX_CODE_CHARS} characters")
            issued, due = _day(raw["issued_on"], "issued_on"), _day(raw["due_on"], "due_on")
            if due < issued:
                raise ValueError("due_on is before issued_on")
            rows.append(InvoiceRow(line, code, number, _amount(raw["amount"]), issued, due))
        except ValueError as exc:
            report.rejected.append((label, line, str(exc)))
    return rows


def parse_payments(text: str, report: ImportReport, label: str = "payments") -> list[PaymentRow]:
    """Rows of the payment file; the bad ones go to ``report.rejected``."""
    rows = []
    for line, raw in _rows(text, PAYMENT_COLUMNS, label, report):
        try:
            code, reference = raw["customer_code"].strip(), raw["reference"].strip()
            if not code or not reference:
                raise ValueError("customer_code and reference are required")
            if len(reference) > MAX_CODE_CHARS:
                raise ValueError(f"reference has more than {MAX_CODE_CHARS} characters")
            named = tuple(n.strip() for n in raw.get("invoice_numbers", "").split(";") if n.strip())
            rows.append(
                PaymentRow(
                    line, code, reference, _amount(raw["amount"]), _day(raw["received_on"], "received_on"), named
                )
            )
        except ValueError as exc:
            report.rejected.append((label, line, str(exc)))
    return rows


async def _check_against_store(
    rt: Runtime, invoices: list[InvoiceRow], payments: list[PaymentRow], report: ImportReport
) -> dict[str, ObjectId]:
    """Reject rows naming unknown customers, contradicting each other or what is stored."""
    codes = sorted({r.customer_code for r in invoices} | {r.customer_code for r in payments})
    customers = await customer_store.ids_by_code(rt.db, codes)
    seen_invoices: dict[tuple[str, str], InvoiceRow] = {}
    for row in invoices:
        oid = customers.get(row.customer_code)
        if oid is None:
            report.rejected.append(("invoices", row.line, f"no customer with code {row.customer_code}"))
            continue
        key = (row.customer_code, row.number)
        first = seen_invoices.setdefault(key, row)
        if first is not row and (first.amount, first.issued_on, first.due_on) != (
            row.amount,
            row.issued_on,
            row.due_on,
        ):
            report.rejected.append(("invoices", row.line, f"invoice {row.number} differs from line {first.line}"))
            continue
        stored = await ledger_store.get_invoice(rt.db, oid, row.number)
        if stored is not None and (stored["amount"], stored["issued_on"], stored["due_on"]) != (
            row.amount,
            dates.to_bson(row.issued_on),
            dates.to_bson(row.due_on),
        ):
            report.rejected.append(("invoices", row.line, f"invoice {row.number} is recorded with other contents"))
    seen_payments: dict[tuple[str, str], PaymentRow] = {}
    for prow in payments:
        oid = customers.get(prow.customer_code)
        if oid is None:
            report.rejected.append(("payments", prow.line, f"no customer with code {prow.customer_code}"))
            continue
        key = (prow.customer_code, prow.reference)
        pfirst = seen_payments.setdefault(key, prow)
        same = (pfirst.amount, pfirst.received_on, pfirst.invoice_numbers)
        if pfirst is not prow and same != (prow.amount, prow.received_on, prow.invoice_numbers):
            report.rejected.append(("payments", prow.line, f"payment {prow.reference} differs from line {pfirst.line}"))
            continue
        stored = await ledger_store.get_payment(rt.db, oid, prow.reference)
        if stored is not None and (
            stored["amount"],
            stored["received_on"],
            tuple(stored.get("invoice_numbers", ())),
        ) != (
            prow.amount,
            dates.to_bson(prow.received_on),
            prow.invoice_numbers,
        ):
            report.rejected.append(("payments", prow.line, f"payment {prow.reference} is recorded with other contents"))
        for number in prow.invoice_numbers:
            if (prow.customer_code, number) not in seen_invoices and await ledger_store.get_invoice(
                rt.db, oid, number
            ) is None:
                report.rejected.append(
                    ("payments", prow.line, f"names invoice {number}, which is in neither file nor ledger")
                )
    return customers


async def import_ledger(
    rt: Runtime,
    invoices_text: str,
    payments_text: str,
    *,
    today: date,
    on_row: Callable[[str], None] | None = None,
    actor: str = "import:ledger",
) -> tuple[ImportReport, int]:
    """Check, then apply the history (nothing when any row is rejected); returns the report
    and the number of rows to apply (for a progress bar, through ``on_row``)."""
    report = ImportReport()
    invoices = parse_invoices(invoices_text, report)
    payments = parse_payments(payments_text, report)
    customers = await _check_against_store(rt, invoices, payments, report)
    if report.rejected:
        return report, 0
    events: list[tuple[date, int, str, str, Any]] = [(r.issued_on, 0, r.customer_code, r.number, r) for r in invoices]
    events += [(p.received_on, 1, p.customer_code, p.reference, p) for p in payments]
    events.sort(key=lambda e: e[:4])
    touched: set[ObjectId] = set()
    for _, kind, code, _, row in events:
        oid = customers[code]
        touched.add(oid)
        try:
            if kind == 0:
                request = ledger_service.InvoiceRequest(oid, row.number, row.amount, row.issued_on, row.due_on)
                _, new = await ledger_service.record_invoice(rt, request, actor=actor)
                report.invoices_new += new
                report.invoices_known += not new
            else:
                payment = ledger_service.PaymentRequest(
                    oid, row.reference, row.amount, row.received_on, row.invoice_numbers
                )
                _, new = await ledger_service.record_payment(rt, payment, actor=actor)
                report.payments_new += new
                report.payments_known += not new
        except InvalidInput as exc:
            # Checked above, so only a concurrent writer gets here; the row is idempotent,
            # so running the import again finishes the rest.
            report.rejected.append(("payments" if kind else "invoices", row.line, str(exc)))
        if on_row is not None:
            on_row(code)
    for oid in sorted(touched):
        await rescoring.rescore_customer(rt, oid, today=today, reason="ledger import")
        report.customers_rescored += 1
    return report, len(events)


def count_rows(invoices_text: str, payments_text: str) -> int:
    """Rows in both files (for the progress bar's total)."""
    return sum(max(0, len(t.strip().splitlines()) - 1) for t in (invoices_text, payments_text) if t.strip())


def now_day() -> date:
    """Today in UTC: the ``today`` the command line passes to ``import_ledger``."""
    return datetime.now(UTC).date()
