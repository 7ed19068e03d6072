"""The hand-on reports' rows: overdue invoices, credit utilisation, the risk report and the
12-month trend. GraphQL pages through these rows; the exports and the monthly PDF print
the same rows, so a sheet's totals equal the API's figures to the cent."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from bson import ObjectId

from common.roles import Role
from infra.runtime import Runtime
from scoring.reports import AgingBucket, PastInvoice, bucket_for, month_ends, overdue_rung, trend, utilisation_percent
from services.credit import exposure_of
from store import dates
from store import report_rows as store
from store import reports as risk_store

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Any) -> Decimal:
    """A stored amount (Decimal, Decimal128 or None) as a Decimal in cents."""
    if value is None:
        return ZERO
    if hasattr(value, "to_decimal"):
        value = value.to_decimal()
    return Decimal(value).quantize(CENT)


@dataclass(frozen=True, slots=True)
class OverdueRow:
    """One overdue invoice (逾期账款明细) and who must act on it."""

    customer_id: ObjectId
    customer_code: str
    customer_name: str
    region: str | None
    customer_type: str
    invoice_number: str
    issued_on: date
    due_on: date
    amount: Decimal
    amount_open: Decimal
    days_overdue: int
    bucket: AgingBucket
    assigned_role: Role | None
    notify_roles: tuple[Role, ...]
    invoice_key: str


async def overdue_invoices(
    rt: Runtime, *, as_of: date, min_days: int = 1, region: str | None = None
) -> list[OverdueRow]:
    """Open invoices at least ``min_days`` past due on ``as_of``, latest first (most days overdue).

    Returns:
        Rows ordered by days overdue (most first), then customer code and invoice number.
    """
    min_days = max(min_days, 1)
    customers = {c["_id"]: c for c in await store.customers(rt.db, region)}
    cutoff = dates.to_bson(as_of - timedelta(days=min_days - 1))
    rows: list[OverdueRow] = []
    for invoice in await store.open_invoices(rt.db, due_before=cutoff):
        customer = customers.get(invoice["customer_id"])
        if customer is None:
            continue  # another region
        due = dates.from_bson(invoice["due_on"])
        issued = dates.from_bson(invoice["issued_on"])
        assert due is not None and issued is not None
        days = (as_of - due).days
        left = money(invoice["amount"]) - money(invoice.get("paid"))
        if days < min_days or left <= 0:
            continue
        rung = overdue_rung(days, rt.policy)
        rows.append(
            OverdueRow(
                customer_id=customer["_id"],
                customer_code=customer["code"],
                customer_name=customer["legal_name"],
                region=customer.get("region"),
                customer_type=customer["type"],
                invoice_number=invoice["number"],
                issued_on=issued,
                due_on=due,
                amount=money(invoice["amount"]),
                amount_open=left,
                days_overdue=days,
                bucket=bucket_for(days),
                assigned_role=rung.notify[0] if rung else None,
                notify_roles=rung.notify if rung else (),
                invoice_key=str(invoice["_id"]),
            )
        )
    rows.sort(key=overdue_key)
    return rows


@dataclass(frozen=True, slots=True)
class UtilisationRow:
    """One customer's limit, exposure and utilisation (额度使用率)."""

    customer_id: ObjectId
    customer_code: str
    customer_name: str
    region: str | None
    customer_type: str
    limit: Decimal
    exposure: Decimal
    available: Decimal
    utilisation_percent: Decimal | None
    grade: str | None
    score: float | None


class UtilisationOrder(Enum):
    """How ``creditUtilisation`` rows are ordered (each then by customer code)."""

    UTILISATION = "UTILISATION"
    EXPOSURE = "EXPOSURE"
    LIMIT = "LIMIT"
    CODE = "CODE"


def utilisation_key(order: UtilisationOrder, descending: bool, row: UtilisationRow) -> tuple[Any, ...]:
    """The row's place in ``order`` as a key that sorts ascending (ties by customer code).

    Descending orders negate the value, so one ascending key serves sorting and cursors.
    """
    if order is UtilisationOrder.CODE:
        if descending:
            # Negated code points, closed by a sentinel so that "AB" sorts after "ABC".
            return (tuple(-ord(ch) for ch in row.customer_code) + (1,),)
        return (row.customer_code,)
    if order is UtilisationOrder.UTILISATION:
        # No limit but exposure is the highest use there is; no limit and no exposure the lowest.
        none_value = Decimal("Infinity") if row.exposure > 0 else Decimal("-1")
        value = row.utilisation_percent if row.utilisation_percent is not None else none_value
    elif order is UtilisationOrder.EXPOSURE:
        value = row.exposure
    else:
        value = row.limit
    return (-value if descending else value, row.customer_code)


def overdue_key(row: OverdueRow) -> tuple[Any, ...]:
    """The overdue list's ascending key: most days overdue first, then customer code and invoice."""
    return (-row.days_overdue, row.customer_code, row.invoice_number)


async def credit_utilisation(
    rt: Runtime, *, order: UtilisationOrder = UtilisationOrder.UTILISATION, descending: bool = True
) -> list[UtilisationRow]:
    """Every customer's utilisation, in ``order`` (ties by customer code ascending)."""
    rows = []
    for customer in await store.customers(rt.db):
        limit = money(customer.get("credit_limit"))
        exposure = money(exposure_of(customer))
        risk = customer.get("risk") or {}
        rows.append(
            UtilisationRow(
                customer_id=customer["_id"],
                customer_code=customer["code"],
                customer_name=customer["legal_name"],
                region=customer.get("region"),
                customer_type=customer["type"],
                limit=limit,
                exposure=exposure,
                available=limit - exposure,
                utilisation_percent=utilisation_percent(limit, exposure),
                grade=risk.get("grade"),
                score=risk.get("score"),
            )
        )
    rows.sort(key=lambda r: utilisation_key(order, descending, r))
    return rows


@dataclass(frozen=True, slots=True)
class GroupRow:
    key: str
    customers: int
    exposure: Decimal
    overdue: Decimal
    average_score: float | None


@dataclass(frozen=True, slots=True)
class RiskReportData:
    """The figures of GraphQL's ``riskReport``, computed the same way."""

    by_grade: list[tuple[str, int, Decimal]]
    by_region: list[GroupRow]
    by_customer_type: list[GroupRow]
    total_exposure: Decimal
    total_overdue: Decimal


def _groups(rows: list[dict[str, Any]]) -> list[GroupRow]:
    return [
        GroupRow(
            key=str(r["_id"]),
            customers=r["customers"],
            exposure=money(r["exposure"]),
            overdue=money(r["overdue"]),
            average_score=round(r["average_score"], 2) if r["average_score"] is not None else None,
        )
        for r in rows
    ]


async def risk_report(rt: Runtime) -> RiskReportData:
    """The risk report's aggregates (the same store queries ``riskReport`` runs)."""
    totals = await risk_store.totals(rt.db)
    return RiskReportData(
        by_grade=[(str(r["_id"]), r["customers"], money(r["exposure"])) for r in await risk_store.by_grade(rt.db)],
        by_region=_groups(await risk_store.by_field(rt.db, "region", "UNKNOWN")),
        by_customer_type=_groups(await risk_store.by_field(rt.db, "type", "OTHER")),
        total_exposure=money(totals["exposure"]),
        total_overdue=money(totals["overdue"]),
    )


async def aging_by_region(rt: Runtime, *, as_of: date) -> dict[str, dict[AgingBucket, Decimal]]:
    """Open receivables on ``as_of`` by region and aging bucket."""
    region_of = {c["_id"]: c.get("region") or "UNKNOWN" for c in await store.customers(rt.db)}
    table: dict[str, dict[AgingBucket, Decimal]] = defaultdict(lambda: dict.fromkeys(AgingBucket, ZERO))
    for invoice in await store.open_invoices(rt.db):
        left = money(invoice["amount"]) - money(invoice.get("paid"))
        due = dates.from_bson(invoice["due_on"])
        if left <= 0 or due is None or invoice["customer_id"] not in region_of:
            continue
        table[region_of[invoice["customer_id"]]][bucket_for((as_of - due).days)] += left
    return dict(sorted(table.items()))


async def receivables_trend(rt: Runtime, *, as_of: date, months: int = 12) -> list[tuple[date, Decimal, Decimal]]:
    """Open and overdue receivables at each of the last ``months`` month ends (the current month: ``as_of``)."""
    points = month_ends(as_of, months)
    start, end = dates.to_bson(points[0]), dates.to_bson(as_of)
    invoices = await store.invoices_open_after(rt.db, start, end)
    paid: dict[tuple[Any, str], list[tuple[date, Decimal]]] = defaultdict(list)
    for payment in await store.payments_between(rt.db, start, end):
        received = dates.from_bson(payment["received_on"])
        assert received is not None
        for allocation in payment.get("allocations") or []:
            paid[(payment["customer_id"], allocation["invoice_number"])].append((received, money(allocation["amount"])))
    history = []
    for invoice in invoices:
        issued, due = dates.from_bson(invoice["issued_on"]), dates.from_bson(invoice["due_on"])
        assert issued is not None and due is not None
        # Payments before the window are folded into the amount: what was open at its start.
        earlier = money(invoice.get("paid")) - sum(
            (a for _, a in paid[(invoice["customer_id"], invoice["number"])]), ZERO
        )
        settled = dates.from_bson(invoice.get("settled_on"))
        history.append(
            PastInvoice(
                amount=money(invoice["amount"]) - max(earlier, ZERO),
                issued_on=issued,
                due_on=due,
                settled_on=settled,
                payments=tuple(paid[(invoice["customer_id"], invoice["number"])]),
            )
        )
    return trend(history, points)
