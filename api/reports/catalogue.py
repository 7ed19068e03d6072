"""The reports one can download: names, formats and their parameters, for HTTP and the CLI.

| name | formats | parameters |
|---|---|---|
| ``overdue-invoices`` (``overdueInvoices``) | csv, xlsx | ``asOf``, ``minDays``, ``region`` |
| ``credit-utilisation`` (``creditUtilisation``) | csv, xlsx | ``orderBy``, ``direction`` (ASC, DESC) |
| ``risk-report`` (``riskReport``) | csv, xlsx | none |
| ``monthly-risk`` | pdf | ``month`` (YYYY-MM, default this month) |
"""

from __future__ import annotations

import asyncio
import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from api.reports import exports
from common.errors import MedcreditError
from infra.runtime import Runtime
from services import reports as service

NAMES = {
    "overdue-invoices": "overdue-invoices",
    "overdueInvoices": "overdue-invoices",
    "credit-utilisation": "credit-utilisation",
    "creditUtilisation": "credit-utilisation",
    "risk-report": "risk-report",
    "riskReport": "risk-report",
    "monthly-risk": "monthly-risk",
    "monthlyRisk": "monthly-risk",
}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class ReportRequestError(MedcreditError, ValueError):
    """An unknown report or format, or a parameter that cannot be read (the caller's mistake)."""


@dataclass(frozen=True, slots=True)
class Export:
    content: bytes
    media_type: str
    file_name: str


def _date(params: Mapping[str, str], key: str, default: date) -> date:
    raw = params.get(key)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ReportRequestError(f"{key} must be a date such as 2026-11-30, got {raw!r}") from None


def _int(params: Mapping[str, str], key: str, default: int) -> int:
    raw = params.get(key)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ReportRequestError(f"{key} must be a whole number, got {raw!r}") from None


def _month(params: Mapping[str, str], today: date) -> tuple[str, date]:
    raw = params.get("month") or today.strftime("%Y-%m")
    try:
        year, month = (int(part) for part in raw.split("-"))
        last = date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        raise ReportRequestError(f"month must look like 2026-11, got {raw!r}") from None
    if last.replace(day=1) > today:
        raise ReportRequestError(f"month {raw} has not begun")
    return f"{year:04d}-{month:02d}", min(last, today)


async def build_export(rt: Runtime, name: str, fmt: str, params: Mapping[str, str], *, actor: str) -> Export:
    """Build one report in one format.

    Raises:
        ReportRequestError: unknown name or format, or a bad parameter.
    """
    report = NAMES.get(name)
    if report is None:
        raise ReportRequestError(f"unknown report {name!r}; one of {', '.join(sorted(set(NAMES.values())))}")
    allowed = ("pdf",) if report == "monthly-risk" else ("csv", "xlsx")
    if fmt not in allowed:
        raise ReportRequestError(f"{report} comes as {' or '.join(allowed)}, not {fmt!r}")
    now = datetime.now(UTC)
    today = now.date()
    if report == "monthly-risk":
        from api.reports.monthly_pdf import MonthlyData, render_monthly

        month, as_of = _month(params, today)
        data = MonthlyData(
            month=month,
            as_of=as_of,
            generated_at=now,
            generated_by=actor,
            risk=await service.risk_report(rt),
            overdue=await service.overdue_invoices(rt, as_of=as_of),
            utilisation=await service.credit_utilisation(rt),
            aging=await service.aging_by_region(rt, as_of=as_of),
            trend=await service.receivables_trend(rt, as_of=as_of),
        )
        content = await asyncio.to_thread(render_monthly, data)
        return Export(content, MEDIA_TYPES["pdf"], f"monthly-risk-{month}.pdf")
    if report == "overdue-invoices":
        as_of = _date(params, "asOf", today)
        min_days = _int(params, "minDays", 1)
        region = params.get("region") or None
        rows = await service.overdue_invoices(rt, as_of=as_of, min_days=min_days, region=region)
        sheets = [exports.overdue_sheet(rows, as_of, max(min_days, 1), region)]
        stem = f"overdue-invoices-{as_of.isoformat()}"
    elif report == "credit-utilisation":
        try:
            order = service.UtilisationOrder((params.get("orderBy") or "UTILISATION").upper())
        except ValueError:
            raise ReportRequestError("orderBy is one of UTILISATION, EXPOSURE, LIMIT, CODE") from None
        direction = (params.get("direction") or "DESC").upper()
        if direction not in ("ASC", "DESC"):
            raise ReportRequestError("direction is ASC or DESC")
        rows_u = await service.credit_utilisation(rt, order=order, descending=direction == "DESC")
        sheets = [exports.utilisation_sheet(rows_u)]
        stem = f"credit-utilisation-{today.isoformat()}"
    else:
        sheets = exports.risk_sheets(await service.risk_report(rt))
        stem = f"risk-report-{today.isoformat()}"
    content = exports.to_csv(sheets) if fmt == "csv" else exports.to_xlsx(sheets)
    return Export(content, MEDIA_TYPES[fmt], f"{stem}.{fmt}")
