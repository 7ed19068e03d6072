"""``overdueInvoices`` (逾期账款明细) and ``creditUtilisation``: report lists as connections.

Their rows are computed by ``services.reports`` (the same rows the CSV/XLSX exports
print) and paged here by a cursor that carries the row's place in the order, so a page
after a change neither repeats nor skips rows that stayed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from common.roles import Role
from schema.customers import Customer
from schema.enums import RiskGrade
from schema.pagination import MAX_PAGE, InvalidCursor, InvalidPageArguments, OrderDirection, PageInfo
from schema.permissions import IsAuthenticated
from scoring.reports import AgingBucket
from services import reports as service

strawberry.enum(AgingBucket, name="AgingBucket", description="How long an open amount is past due (账龄).")

DEFAULT_REPORT_PAGE = 50
R = TypeVar("R")


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"m": str(value)}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _decode(raw: Any) -> Any:
    if isinstance(raw, dict):
        return Decimal(raw["m"])
    if isinstance(raw, list):
        return tuple(_decode(v) for v in raw)
    return raw


def report_cursor(ordering: str, key: tuple[Any, ...]) -> str:
    text = json.dumps([ordering, _encode(key)], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _cursor_key(cursor: str, ordering: str) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, raw = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        key = _decode(raw)
    except (ValueError, TypeError, KeyError, InvalidOperation, UnicodeDecodeError, AttributeError) as exc:
        raise InvalidCursor(f"Invalid cursor {cursor!r}: pass a cursor this list returned.") from exc
    if name != ordering or not isinstance(key, tuple):
        raise InvalidCursor("This cursor belongs to another list or ordering; page on with the same arguments.")
    return key


def page_of(  # noqa: UP047 - strawberry-style TypeVar kept for symmetry with schema.pagination
    rows: Sequence[R], key: Callable[[R], tuple[Any, ...]], ordering: str, first: int | None, after: str | None
) -> tuple[list[tuple[R, str]], PageInfo]:
    """The rows after ``after`` (by key; ``rows`` sorted ascending by ``key``), at most ``first``."""
    if first is not None and first < 0:
        raise InvalidPageArguments("`first` must not be negative.")
    size = min(DEFAULT_REPORT_PAGE if first is None else first, MAX_PAGE)
    start = 0
    if after:
        position = _cursor_key(after, ordering)
        while start < len(rows) and key(rows[start]) <= position:
            start += 1
    chosen = rows[start : start + size]
    edges = [(row, report_cursor(ordering, key(row))) for row in chosen]
    return edges, PageInfo(
        has_next_page=start + size < len(rows),
        end_cursor=edges[-1][1] if edges else None,
        has_previous_page=start > 0,
        start_cursor=edges[0][1] if edges else None,
    )


async def _customer(info: Info, oid: Any) -> Customer:
    doc = await info.context.customers.load(oid)
    return Customer.from_doc(doc)


@strawberry.type(description="One overdue invoice, who it belongs to and who must act on it.")
class OverdueInvoice:
    row: strawberry.Private[service.OverdueRow]
    invoice_number: str
    issued_on: date
    due_on: date
    amount: Decimal
    amount_open: Decimal
    days_overdue: int
    bucket: AgingBucket
    assigned_role: Role | None = strawberry.field(
        description="The role that acts first (the overdue ladder's rung: sales, finance, executives)."
    )
    notify_roles: list[Role]

    @strawberry.field
    async def customer(self, info: Info) -> Customer:
        return await _customer(info, self.row.customer_id)

    @classmethod
    def from_row(cls, row: service.OverdueRow) -> OverdueInvoice:
        return cls(
            row=row,
            invoice_number=row.invoice_number,
            issued_on=row.issued_on,
            due_on=row.due_on,
            amount=row.amount,
            amount_open=row.amount_open,
            days_overdue=row.days_overdue,
            bucket=row.bucket,
            assigned_role=row.assigned_role,
            notify_roles=list(row.notify_roles),
        )


@strawberry.type
class OverdueInvoiceEdge:
    node: OverdueInvoice
    cursor: str


@strawberry.type(description="Overdue invoices, most days overdue first; totals cover every page.")
class OverdueInvoiceConnection:
    edges: list[OverdueInvoiceEdge]
    page_info: PageInfo
    total_count: int
    total_amount_open: Decimal = strawberry.field(description="Sum of `amountOpen` over all matching invoices.")


@strawberry.type(description="One customer's credit limit, exposure and how much of the limit is used.")
class CreditUtilisation:
    row: strawberry.Private[service.UtilisationRow]
    limit: Decimal
    exposure: Decimal
    available: Decimal
    utilisation_percent: Decimal | None = strawberry.field(
        description="Exposure / limit x 100, two places; null when the limit is 0."
    )
    grade: RiskGrade | None

    @strawberry.field
    async def customer(self, info: Info) -> Customer:
        return await _customer(info, self.row.customer_id)

    @classmethod
    def from_row(cls, row: service.UtilisationRow) -> CreditUtilisation:
        return cls(
            row=row,
            limit=row.limit,
            exposure=row.exposure,
            available=row.available,
            utilisation_percent=row.utilisation_percent,
            grade=RiskGrade(row.grade) if row.grade else None,
        )


@strawberry.type
class CreditUtilisationEdge:
    node: CreditUtilisation
    cursor: str


@strawberry.type(description="Customers by credit utilisation; totals cover every page.")
class CreditUtilisationConnection:
    edges: list[CreditUtilisationEdge]
    page_info: PageInfo
    total_count: int
    total_limit: Decimal
    total_exposure: Decimal


@strawberry.enum(description="What `creditUtilisation` can be sorted by (ties by customer code).")
class CreditUtilisationOrderField(Enum):
    UTILISATION = "UTILISATION"
    EXPOSURE = "EXPOSURE"
    LIMIT = "LIMIT"
    CODE = "CODE"


@strawberry.input(description="How to sort `creditUtilisation`; highest utilisation first unless told otherwise.")
class CreditUtilisationOrder:
    field: CreditUtilisationOrderField = CreditUtilisationOrderField.UTILISATION
    direction: OrderDirection = OrderDirection.DESC


def _today() -> date:
    return datetime.now(UTC).date()


@strawberry.type
class ReportListQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Overdue invoices (逾期账款明细) on `asOf` (default today) at least `minDays` past due "
        "(default 1), in one region when given; most days overdue first, 50 per page by default.",
    )
    async def overdue_invoices(
        self,
        info: Info,
        as_of: date | None = None,
        min_days: int | None = 1,
        region: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> OverdueInvoiceConnection:
        day = as_of or _today()
        days = 1 if min_days is None else min_days
        rows = await service.overdue_invoices(info.context.runtime, as_of=day, min_days=days, region=region)
        ordering = f"overdueInvoices:{day.isoformat()}:{days}:{region or ''}"
        edges, page_info = page_of(rows, service.overdue_key, ordering, first, after)
        return OverdueInvoiceConnection(
            edges=[OverdueInvoiceEdge(node=OverdueInvoice.from_row(r), cursor=c) for r, c in edges],
            page_info=page_info,
            total_count=len(rows),
            total_amount_open=sum((r.amount_open for r in rows), service.ZERO),
        )

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Every customer's limit, exposure and utilisation, highest utilisation first by default.",
    )
    async def credit_utilisation(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        order_by: CreditUtilisationOrder | None = None,
    ) -> CreditUtilisationConnection:
        o = order_by or CreditUtilisationOrder()
        order = service.UtilisationOrder(o.field.value)
        descending = o.direction is OrderDirection.DESC
        rows = await service.credit_utilisation(info.context.runtime, order=order, descending=descending)
        edges, page_info = page_of(
            rows,
            lambda r: service.utilisation_key(order, descending, r),
            f"creditUtilisation:{order.name}:{o.direction.name}",
            first,
            after,
        )
        return CreditUtilisationConnection(
            edges=[CreditUtilisationEdge(node=CreditUtilisation.from_row(r), cursor=c) for r, c in edges],
            page_info=page_info,
            total_count=len(rows),
            total_limit=sum((r.limit for r in rows), service.ZERO),
            total_exposure=sum((r.exposure for r in rows), service.ZERO),
        )
