"""Page geometry: places a ``DocLayout`` on an A4 page in points.

Both renderers (reportlab PDF, Pillow raster) draw the same ``Page``; each passes
its own text-measuring function so wrapping matches the font it really uses.
Coordinates are in points with the origin at the top-left, y growing downwards.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .layout import DocLayout

A4_WIDTH, A4_HEIGHT = 595.0, 842.0
ASCENT = 0.88  # baseline offset as a fraction of the font size, close for all our CJK fonts

# measure(text, size_pt, bold) -> width in points
Measure = Callable[[str, float, bool], float]

_NO_LINE_START = set("，。；、：）》」,.;:)")


@dataclass(frozen=True)
class Text:
    """A run of text; ``y`` is the top of its em box."""

    x: float
    y: float
    size: float
    text: str
    bold: bool = False

    @property
    def baseline(self) -> float:
        return self.y + self.size * ASCENT


@dataclass(frozen=True)
class Line:
    """A ruled line."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.8


Box = tuple[float, float, float, float]


@dataclass
class Page:
    """Everything to draw on one page, plus where the interesting rows ended up."""

    width: float
    height: float
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    boxes: dict[str, Box] = field(default_factory=dict)  # Row.key -> bbox of its value
    seal_center: tuple[float, float] = (0.0, 0.0)
    seal_radius: float = 55.0
    seal_text: str = ""
    seal_bottom: str | None = None
    font_family: str = ""  # set by the raster renderer, so an edit can match the typeface


def _tokens(text: str) -> list[str]:
    """Split text into wrap units: single CJK characters, whole ASCII words/numbers."""
    out: list[str] = []
    for ch in text:
        if ch.isascii() and ch.isalnum() and out and out[-1][-1:].isascii() and out[-1].isalnum():
            out[-1] += ch
        else:
            out.append(ch)
    return out


def wrap(text: str, width: float, size: float, measure: Measure) -> list[str]:
    """Greedy line breaking that keeps codes whole and keeps punctuation off line starts."""
    lines: list[list[str]] = []
    current: list[str] = []
    for token in _tokens(text):
        if not current or measure("".join(current) + token, size, False) <= width:
            current.append(token)
        elif token not in _NO_LINE_START:
            lines.append(current)
            current = [token] if token.strip() else []
        elif len(current) > 1:
            # Punctuation may not start a line: carry the previous word down with it.
            lines.append(current[:-1])
            current = [current[-1], token]
        else:
            current.append(token)
    if current:
        lines.append(current)
    return ["".join(line) for line in lines]


def compose(doc: DocLayout, measure: Measure, rng: random.Random) -> Page:
    """Lay ``doc`` out on an A4 page."""
    page = Page(A4_WIDTH, A4_HEIGHT, seal_text=doc.seal_text, seal_bottom=doc.seal_bottom)
    body = rng.uniform(10.5, 12.0)
    leading = body * rng.uniform(1.55, 1.8)
    margin = rng.uniform(60.0, 74.0)
    left, right = margin, A4_WIDTH - margin

    # Border: a thick outer frame, often with a thin inner one, as on printed certificates.
    inset = rng.uniform(26.0, 34.0)
    _rect(page, inset, inset, A4_WIDTH - inset, A4_HEIGHT - inset, 2.2)
    if rng.random() < 0.6:
        _rect(page, inset + 5, inset + 5, A4_WIDTH - inset - 5, A4_HEIGHT - inset - 5, 0.6)

    y = inset + rng.uniform(40.0, 58.0)
    if doc.top_right:
        w = measure(doc.top_right, body - 1, False)
        page.texts.append(Text(right - w, inset + 16, body - 1, doc.top_right))
    title = " ".join(doc.title) if doc.spaced_title and len(doc.title) <= 8 else doc.title
    title_size = rng.uniform(22.0, 27.0)
    _centered(page, title, y, title_size, measure, bold=True)
    y += title_size * 1.5
    if doc.subtitle:
        _centered(page, doc.subtitle, y, body + 1, measure)
        y += (body + 1) * 1.8
    y += rng.uniform(14.0, 26.0)

    if doc.table:
        y = _table_rows(page, doc, y, left, right, body, leading, measure)
    else:
        y = _colon_rows(page, doc, y, left, right, body, leading, measure, rng)

    _footer(page, doc, y, right, body, leading, measure, rng)
    return page


def _rect(page: Page, x0: float, y0: float, x1: float, y1: float, width: float) -> None:
    page.lines += [
        Line(x0, y0, x1, y0, width),
        Line(x1, y0, x1, y1, width),
        Line(x1, y1, x0, y1, width),
        Line(x0, y1, x0, y0, width),
    ]


def _centered(page: Page, text: str, y: float, size: float, measure: Measure, bold: bool = False) -> None:
    w = measure(text, size, bold)
    page.texts.append(Text((page.width - w) / 2, y, size, text, bold))


def _record(page: Page, key: str | None, box: Box) -> None:
    if key is None:
        return
    if key in page.boxes:  # a value that wrapped: grow the existing box
        x0, y0, x1, y1 = page.boxes[key]
        box = (min(x0, box[0]), min(y0, box[1]), max(x1, box[2]), max(y1, box[3]))
    page.boxes[key] = box


def _colon_rows(
    page: Page,
    doc: DocLayout,
    y: float,
    left: float,
    right: float,
    body: float,
    leading: float,
    measure: Measure,
    rng: random.Random,
) -> float:
    """``label：value`` lines with a hanging indent; labels often aligned in a column."""
    aligned = rng.random() < 0.6
    label_col = max(measure(r.label + doc.colon, body, False) for r in doc.rows) + 4
    for row in doc.rows:
        label = row.label + doc.colon
        page.texts.append(Text(left, y, body, label))
        vx = left + (label_col if aligned else measure(label, body, False) + 2)
        for part in wrap(row.value, right - vx, body, measure):
            page.texts.append(Text(vx, y, body, part))
            _record(page, row.key, (vx, y, vx + measure(part, body, False), y + body))
            y += leading
        y += leading * rng.uniform(0.0, 0.35)  # uneven paragraph spacing, as issuers vary
    return y


def _table_rows(
    page: Page, doc: DocLayout, y: float, left: float, right: float, body: float, leading: float, measure: Measure
) -> float:
    """Labels and values in a ruled two-column grid."""
    pad = body * 0.6
    split = left + max(measure(r.label, body, False) for r in doc.rows) + 2 * pad
    top = y
    page.lines.append(Line(left, y, right, y))
    for row in doc.rows:
        parts = wrap(row.value, right - split - 2 * pad, body, measure)
        height = len(parts) * leading + pad
        page.texts.append(Text(left + pad, y + (height - body) / 2, body, row.label))
        ty = y + pad / 2 + (leading - body) / 2
        for part in parts:
            page.texts.append(Text(split + pad, ty, body, part))
            _record(page, row.key, (split + pad, ty, split + pad + measure(part, body, False), ty + body))
            ty += leading
        y += height
        page.lines.append(Line(left, y, right, y))
    page.lines += [Line(left, top, left, y), Line(split, top, split, y), Line(right, top, right, y)]
    return y


def _footer(
    page: Page,
    doc: DocLayout,
    y: float,
    right: float,
    body: float,
    leading: float,
    measure: Measure,
    rng: random.Random,
) -> None:
    """Right-aligned issuer and date lines near the bottom, with the seal over them."""
    y = max(y + leading * 2, page.height - rng.uniform(150.0, 190.0))
    xr = right - rng.uniform(6.0, 30.0)
    top = y
    for row in doc.footer:
        text = f"{row.label}{doc.colon}{row.value}" if row.label else row.value
        w = measure(text, body, False)
        page.texts.append(Text(xr - w, y, body, text))
        vw = measure(row.value, body, False)
        _record(page, row.key, (xr - vw, y, xr, y + body))
        y += leading
    page.seal_radius = rng.uniform(50.0, 58.0)
    block_center = (top + y - leading + body) / 2
    page.seal_center = (xr - page.seal_radius * rng.uniform(0.7, 1.1), block_center + rng.uniform(-10.0, 10.0))
