"""CSV and XLSX exports of the report lists and the risk report, with Chinese headers.

Each export is one or more tables built from the same rows the GraphQL fields return;
a total row carries the same sums as the connection's totals, so the sheet and the API
agree to the cent. CSV is UTF-8 with a byte-order mark so that Excel reads the Chinese.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from infra.render import labels
from services import reports as service

MONEY_FORMAT = "#,##0.00"


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table: a title (the XLSX sheet's name), headers, rows and an optional total row."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    total: Sequence[Any] | None = None
    notes: Sequence[str] = field(default_factory=tuple)


def overdue_sheet(rows: Sequence[service.OverdueRow], as_of: date, min_days: int, region: str | None) -> Sheet:
    headers = [
        "客户编号",
        "客户名称",
        "地区",
        "客户类型",
        "发票号",
        "开票日期",
        "到期日",
        "发票金额",
        "未收金额",
        "逾期天数",
        "账龄区间",
        "负责角色",
    ]
    body = [
        [
            r.customer_code,
            r.customer_name,
            r.region or "",
            labels.CUSTOMER_TYPES.get(r.customer_type, r.customer_type),
            r.invoice_number,
            r.issued_on,
            r.due_on,
            r.amount,
            r.amount_open,
            r.days_overdue,
            labels.BUCKETS[r.bucket.value],
            labels.ROLES.get(r.assigned_role.value, "") if r.assigned_role else "",
        ]
        for r in rows
    ]
    total = [
        "合计",
        f"{len(rows)} 张发票",
        "",
        "",
        "",
        "",
        "",
        sum((r.amount for r in rows), service.ZERO),
        sum((r.amount_open for r in rows), service.ZERO),
        "",
        "",
        "",
    ]
    note = f"截至 {as_of.isoformat()}，逾期至少 {min_days} 天" + (f"，地区 {region}" if region else "")
    return Sheet("逾期账款明细", headers, body, total, (note,))


def utilisation_sheet(rows: Sequence[service.UtilisationRow]) -> Sheet:
    headers = ["客户编号", "客户名称", "地区", "客户类型", "信用额度", "敞口", "可用额度", "额度使用率(%)", "风险等级"]
    body = [
        [
            r.customer_code,
            r.customer_name,
            r.region or "",
            labels.CUSTOMER_TYPES.get(r.customer_type, r.customer_type),
            r.limit,
            r.exposure,
            r.available,
            r.utilisation_percent if r.utilisation_percent is not None else "",
            r.grade or "",
        ]
        for r in rows
    ]
    limit = sum((r.limit for r in rows), service.ZERO)
    exposure = sum((r.exposure for r in rows), service.ZERO)
    total = ["合计", f"{len(rows)} 家客户", "", "", limit, exposure, limit - exposure, "", ""]
    return Sheet("额度使用分析", headers, body, total)


def risk_sheets(report: service.RiskReportData) -> list[Sheet]:
    def groups(title: str, key: str, rows: Sequence[service.GroupRow], names: dict[str, str]) -> Sheet:
        return Sheet(
            title,
            [key, "客户数", "敞口", "逾期金额", "平均评分"],
            [
                [
                    names.get(g.key, g.key),
                    g.customers,
                    g.exposure,
                    g.overdue,
                    g.average_score if g.average_score is not None else "",
                ]
                for g in rows
            ],
            [
                "合计",
                sum(g.customers for g in rows),
                sum((g.exposure for g in rows), service.ZERO),
                sum((g.overdue for g in rows), service.ZERO),
                "",
            ],
        )

    return [
        Sheet("按风险等级", ["风险等级", "客户数", "敞口"], [[g, n, e] for g, n, e in report.by_grade]),
        groups("按地区", "地区", report.by_region, {"UNKNOWN": "未填写"}),
        groups("按客户类型", "客户类型", report.by_customer_type, labels.CUSTOMER_TYPES),
        Sheet("合计", ["项目", "金额"], [["总敞口", report.total_exposure], ["总逾期", report.total_overdue]]),
    ]


def _csv_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def to_csv(sheets: Sequence[Sheet]) -> bytes:
    """The sheets one after another, each headed by its title when there are several."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, sheet in enumerate(sheets):
        if len(sheets) > 1:
            if i:
                writer.writerow([])
            writer.writerow([f"# {sheet.title}"])
        writer.writerow(sheet.headers)
        writer.writerows([[_csv_value(v) for v in row] for row in sheet.rows])
        if sheet.total is not None:
            writer.writerow([_csv_value(v) for v in sheet.total])
        for note in sheet.notes:
            writer.writerow([f"# {note}"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """One worksheet per sheet: bold headers, money as numbers in cents, a bold total row.

    Written in openpyxl's streaming mode, cell by cell with its format: an export of
    thousands of rows costs a fraction of what styling a finished sheet would.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def cells(ws: Any, row: Sequence[Any], *, strong: bool = False) -> list[Any]:
        out = []
        for value in row:
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            if strong:
                cell.font = bold
            out.append(cell)
        return out

    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        for index, header in enumerate(sheet.headers, start=1):
            ws.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(header) + 4)
        ws.freeze_panes = "A2"
        ws.append(cells(ws, sheet.headers, strong=True))
        for row in sheet.rows:
            ws.append(cells(ws, row))
        if sheet.total is not None:
            ws.append(cells(ws, sheet.total, strong=True))
        for note in sheet.notes:
            ws.append([note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
