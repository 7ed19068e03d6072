"""The qualification dossier (客户资质审核报告) as a PDF, drawn with reportlab from plain data.

Every page carries the generation time and the SHA-256 of the dossier's content (the
canonical JSON of everything printed), so a printed page can be matched with the
archived record of the generation (audit action ``DOSSIER_GENERATED``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from infra.render.fonts import cjk_font

MARGIN = 16 * mm


@dataclass(frozen=True, slots=True)
class CheckLine:
    name: str
    outcome: str
    detail: str


@dataclass(frozen=True, slots=True)
class DocumentSection:
    """One uploaded document: file, hash, status, thumbnail, fields with evidence, checks."""

    file_name: str
    sha256: str
    uploaded_at: datetime
    uploaded_by: str
    status: str
    certificate_type: str
    thumbnail_png: bytes | None
    fields: Sequence[tuple[str, str, str]]  # label, value, evidence
    checks: Sequence[CheckLine]
    signals: Sequence[CheckLine]
    review: str | None


@dataclass(frozen=True, slots=True)
class RequirementLine:
    label: str
    state: str
    held_by: str


@dataclass(frozen=True, slots=True)
class Validity:
    label: str
    valid_from: date | None
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class Decision:
    at: datetime
    actor: str
    action: str
    note: str


@dataclass(frozen=True, slots=True)
class DossierData:
    """Everything the dossier prints; ``content_sha256`` is computed by the caller over it."""

    generated_at: datetime
    generated_by: str
    content_sha256: str
    master: Sequence[tuple[str, str]]
    onboarding: Sequence[tuple[str, str]]
    requirements: Sequence[RequirementLine]
    documents: Sequence[DocumentSection]
    decisions: Sequence[Decision]
    validity: Sequence[Validity]
    today: date
    notes: Sequence[str] = field(default_factory=tuple)


def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    base = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11.5, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=22, spaceAfter=4),
        "h1": ParagraphStyle("h1", parent=base, fontSize=12.5, leading=16, spaceBefore=8, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontSize=10, leading=13, spaceBefore=6, spaceAfter=2),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
    }


def _escape(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float], style: ParagraphStyle, header: bool = True) -> Table:
    cells = [[Paragraph(_escape(c), style) if not hasattr(c, "wrap") else c for c in row] for row in rows]
    table = Table(cells, colWidths=list(widths), repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e9f0")))
    table.setStyle(TableStyle(commands))
    return table


def _timeline(items: Sequence[Validity], today: date, width: float) -> Drawing:
    """Validity bars per certificate, with today marked; an open end (长期, filings) runs to the edge."""
    font = cjk_font()
    row, label_w = 16, 150
    height = row * len(items) + 26
    drawing = Drawing(width, height)
    starts = [v.valid_from for v in items if v.valid_from] + [today]
    ends = [v.valid_until for v in items if v.valid_until] + [today]
    lo, hi = min(starts), max(ends)
    span = max((hi - lo).days, 1) * 1.08
    plot_w = width - label_w - 10

    def x(day: date) -> float:
        return label_w + plot_w * (day - lo).days / span

    for i, v in enumerate(items):
        y = height - 20 - (i + 1) * row
        drawing.add(String(0, y + 4, v.label, fontName=font, fontSize=7.5))
        start = x(v.valid_from) if v.valid_from else label_w
        end = x(v.valid_until) if v.valid_until else label_w + plot_w
        lapsed = v.valid_until is not None and v.valid_until < today
        fill = colors.HexColor("#d64545") if lapsed else colors.HexColor("#3b7dd8")
        drawing.add(Rect(start, y + 2, max(end - start, 1), 9, fillColor=fill, strokeColor=None))
        until = v.valid_until.isoformat() if v.valid_until else "长期"
        drawing.add(String(min(end + 2, width - 48), y + 3, until, fontName=font, fontSize=6.5))
    tx = x(today)
    drawing.add(Line(tx, 4, tx, height - 14, strokeColor=colors.HexColor("#222222"), strokeDashArray=[2, 2]))
    drawing.add(String(tx - 14, height - 12, f"今天 {today.isoformat()}", fontName=font, fontSize=6.5))
    drawing.add(String(label_w, 0, lo.isoformat(), fontName=font, fontSize=6))
    return drawing


def render_dossier(data: DossierData) -> bytes:
    """Render the dossier; returns the PDF bytes."""
    styles = _styles()
    body, small = styles["body"], styles["small"]
    buffer = io.BytesIO()
    width = A4[0] - 2 * MARGIN
    footer = (
        f"生成时间 {data.generated_at.isoformat(timespec='seconds')} · 生成人 {data.generated_by} · "
        f"内容 SHA-256 {data.content_sha256}"
    )

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(cjk_font(), 6.5)
        canvas.drawString(MARGIN, 8 * mm, footer)
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, f"第 {doc.page} 页")
        canvas.drawString(MARGIN, A4[1] - 9 * mm, "客户资质审核报告（首营审核档案）")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title="客户资质审核报告",
        author="medcredit",
    )
    story: list[Any] = [Paragraph("客户资质审核报告", styles["title"])]
    story.append(Paragraph(_escape(f"审核报告生成于 {data.generated_at.isoformat(timespec='seconds')}"), small))

    story.append(Paragraph("一、客户基本信息", styles["h1"]))
    story.append(_table(data.master, [40 * mm, width - 40 * mm], body, header=False))

    story.append(Paragraph("二、首营审核状态", styles["h1"]))
    story.append(_table(data.onboarding, [40 * mm, width - 40 * mm], body, header=False))
    story.append(Paragraph("应备资料（按客户类型的审核标准）", styles["h2"]))
    story.append(
        _table(
            [("应备资料", "状态", "满足该项的证照"), *((r.label, r.state, r.held_by) for r in data.requirements)],
            [62 * mm, 28 * mm, width - 90 * mm],
            body,
        )
    )

    story.append(Paragraph("三、证照有效期", styles["h1"]))
    if data.validity:
        story.append(_timeline(data.validity, data.today, width))
    else:
        story.append(Paragraph("尚无已接受的证照。", body))

    story.append(Paragraph("四、审核决定", styles["h1"]))
    if data.decisions:
        story.append(
            _table(
                [
                    ("时间", "操作人", "决定", "说明"),
                    *((d.at.strftime("%Y-%m-%d %H:%M:%S UTC"), d.actor, d.action, d.note) for d in data.decisions),
                ],
                [38 * mm, 28 * mm, 34 * mm, width - 100 * mm],
                body,
            )
        )
    else:
        story.append(Paragraph("尚无审核决定。", body))

    story.append(Paragraph("五、上传资料与核验", styles["h1"]))
    if not data.documents:
        story.append(Paragraph("尚未上传资料。", body))
    for n, section in enumerate(data.documents, start=1):
        story.extend(_document(n, section, styles, width))
    for note in data.notes:
        story.append(Paragraph(_escape(note), small))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _document(n: int, section: DocumentSection, styles: dict[str, ParagraphStyle], width: float) -> list[Any]:
    small = styles["small"]
    head = Paragraph(_escape(f"资料 {n}：{section.certificate_type} · {section.file_name}"), styles["h2"])
    facts = [
        ("状态", section.status),
        ("上传", f"{section.uploaded_at.isoformat(timespec='seconds')} · {section.uploaded_by}"),
        ("文件 SHA-256", section.sha256),
    ]
    if section.review:
        facts.append(("人工复核", section.review))
    facts_table = _table(facts, [24 * mm, width - 24 * mm - 48 * mm], small, header=False)
    if section.thumbnail_png:
        thumb = Image(io.BytesIO(section.thumbnail_png), width=44 * mm, height=44 * mm, kind="proportional")
        top = Table([[facts_table, thumb]], colWidths=[width - 48 * mm, 48 * mm])
        top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    else:
        top = Table([[facts_table, Paragraph("（无缩略图）", small)]], colWidths=[width - 48 * mm, 48 * mm])
    parts: list[Any] = [KeepTogether([head, top]), Spacer(1, 3)]
    if section.fields:
        parts.append(
            _table(
                [("字段", "识别结果", "依据（原文 · 引擎 · 置信度）"), *section.fields],
                [28 * mm, 55 * mm, width - 83 * mm],
                small,
            )
        )
        parts.append(Spacer(1, 3))
    checks = [*section.checks, *section.signals]
    if checks:
        parts.append(
            _table(
                [("核验项", "结果", "证据"), *((c.name, c.outcome, c.detail) for c in checks)],
                [30 * mm, 16 * mm, width - 46 * mm],
                small,
            )
        )
    parts.append(Spacer(1, 6))
    return parts
