"""The monthly risk report (月度风险报告) as a PDF: headline figures, four charts and the
largest overdue and utilisation rows, from the same rows the API and exports use."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from infra.render import charts, labels
from infra.render.fonts import cjk_font
from services import reports as service

MARGIN = 16 * mm


@dataclass(frozen=True, slots=True)
class MonthlyData:
    month: str
    as_of: date
    generated_at: datetime
    generated_by: str
    risk: service.RiskReportData
    overdue: Sequence[service.OverdueRow]
    utilisation: Sequence[service.UtilisationRow]
    aging: dict[str, dict[Any, Decimal]]
    trend: Sequence[tuple[date, Decimal, Decimal]]


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float], style: ParagraphStyle) -> Table:
    table = Table([[Paragraph(str(c), style) for c in row] for row in rows], colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e9f0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _chart(png: bytes, width: float) -> Image:
    return Image(io.BytesIO(png), width=width, height=width * 3.2 / 7.0)


def render_monthly(data: MonthlyData) -> bytes:
    """Render the monthly report; returns the PDF bytes."""
    font = cjk_font()
    body = ParagraphStyle("b", fontName=font, fontSize=8.5, leading=11.5, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=12.5, leading=16, spaceBefore=8, spaceAfter=4)
    title = ParagraphStyle("t", parent=body, fontSize=17, leading=22, spaceAfter=4)
    width = A4[0] - 2 * MARGIN
    footer = (
        f"月度风险报告 {data.month} · 生成时间 {data.generated_at.isoformat(timespec='seconds')} · {data.generated_by}"
    )

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 6.5)
        canvas.drawString(MARGIN, 8 * mm, footer)
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"月度风险报告 {data.month}",
        author="medcredit",
    )
    risk = data.risk
    overdue_total = sum((r.amount_open for r in data.overdue), service.ZERO)
    limit_total = sum((r.limit for r in data.utilisation), service.ZERO)
    exposure_total = sum((r.exposure for r in data.utilisation), service.ZERO)
    story: list[Any] = [
        Paragraph(f"月度风险报告（{data.month}）", title),
        Paragraph(f"数据截至 {data.as_of.isoformat()}；等级、额度与敞口为生成时的状态，趋势为各月末的应收。", body),
        Paragraph("一、概览", h1),
        _table(
            [
                ["指标", "数值"],
                ["客户数", str(len(data.utilisation))],
                ["总信用额度（元）", f"{limit_total:,.2f}"],
                ["总敞口（元）", f"{risk.total_exposure:,.2f}"],
                ["总逾期（元，按最近评分）", f"{risk.total_overdue:,.2f}"],
                ["逾期发票未收合计（元）", f"{overdue_total:,.2f}"],
                ["逾期发票张数", str(len(data.overdue))],
                ["整体额度使用率", f"{(exposure_total * 100 / limit_total):.2f}%" if limit_total else "—"],
            ],
            [70 * mm, width - 70 * mm],
            body,
        ),
        Paragraph("二、风险等级分布", h1),
        _chart(charts.grade_distribution(risk.by_grade), width),
        Paragraph("三、各地区应收账龄", h1),
        _chart(charts.aging_by_region(data.aging, list(labels.BUCKETS.values())), width),
        PageBreak(),
        Paragraph("四、额度使用率分布", h1),
        _chart(
            charts.utilisation_histogram(
                [r.utilisation_percent for r in data.utilisation if r.utilisation_percent is not None]
            ),
            width,
        ),
        Paragraph("五、近12个月应收敞口与逾期趋势", h1),
        _chart(charts.receivables_trend(data.trend), width),
        _table(
            [
                ["月份", "应收敞口（元）", "逾期金额（元）"],
                *[[d.strftime("%Y-%m"), f"{o:,.2f}", f"{v:,.2f}"] for d, o, v in data.trend],
            ],
            [40 * mm, 60 * mm, 60 * mm],
            body,
        ),
        PageBreak(),
        Paragraph("六、逾期账款明细（逾期天数最多的前20张）", h1),
        _table(
            [
                ["客户", "发票号", "到期日", "未收金额（元）", "逾期天数", "负责角色"],
                *[
                    [
                        f"{r.customer_code} {r.customer_name}",
                        r.invoice_number,
                        r.due_on.isoformat(),
                        f"{r.amount_open:,.2f}",
                        str(r.days_overdue),
                        labels.ROLES.get(r.assigned_role.value, "") if r.assigned_role else "",
                    ]
                    for r in data.overdue[:20]
                ],
            ],
            [58 * mm, 28 * mm, 22 * mm, 28 * mm, 16 * mm, width - 152 * mm],
            body,
        ),
        Spacer(1, 6),
        Paragraph("七、额度使用率最高的前15家客户", h1),
        _table(
            [
                ["客户", "信用额度（元）", "敞口（元）", "使用率", "等级"],
                *[
                    [
                        f"{r.customer_code} {r.customer_name}",
                        f"{r.limit:,.2f}",
                        f"{r.exposure:,.2f}",
                        f"{r.utilisation_percent}%" if r.utilisation_percent is not None else "无额度",
                        r.grade or "—",
                    ]
                    for r in data.utilisation[:15]
                ],
            ],
            [68 * mm, 32 * mm, 32 * mm, 22 * mm, width - 154 * mm],
            body,
        ),
    ]
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
