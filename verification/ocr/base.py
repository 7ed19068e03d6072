"""The OCR engine interface: an image in, lines of text with confidences out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from verification.types import TextLine


@dataclass(frozen=True)
class OcrResult:
    """Lines read from one image by one engine, in reading order."""

    lines: tuple[TextLine, ...]
    engine: str

    @property
    def text(self) -> str:
        """Return the lines joined by newlines."""
        return "\n".join(line.text for line in self.lines)

    @property
    def confidence(self) -> float:
        """Return the mean line confidence, weighted by line length (0 if empty)."""
        total = sum(len(line.text) for line in self.lines)
        if not total:
            return 0.0
        return sum(line.confidence * len(line.text) for line in self.lines) / total


@runtime_checkable
class OcrEngine(Protocol):
    """Anything that reads text from an image (H×W×3 BGR or H×W grey uint8 array)."""

    name: str

    def recognise(self, image: np.ndarray) -> OcrResult:
        """Return the lines of text found in ``image``."""
        ...


@dataclass(frozen=True)
class _Box:
    top: float
    bottom: float
    left: float
    text: str
    confidence: float
    right: float | None = None


# (top, bottom, left, text, confidence) or, with the right edge, (…, confidence, right).
RawBox = tuple[float, float, float, str, float] | tuple[float, float, float, str, float, float]


def join_boxes(boxes: Sequence[RawBox], *, gap: str = "  ") -> tuple[TextLine, ...]:
    """Group word/segment boxes into lines in reading order.

    Parameters:
        boxes: (top, bottom, left, text, confidence[, right]) per detected box.
        gap: what separates boxes on one line (two spaces mark a column gap).

    Returns:
        One TextLine per visual line, left to right; the confidence is the
        length-weighted mean of its boxes.
    """
    items = sorted((_Box(*b) for b in boxes if b[3].strip()), key=lambda b: (b.top, b.left))  # type: ignore[arg-type]
    rows: list[list[_Box]] = []
    for box in items:
        centre = (box.top + box.bottom) / 2
        for row in rows:
            r_top = min(b.top for b in row)
            r_bottom = max(b.bottom for b in row)
            height = r_bottom - r_top
            # Same line when the box's centre lies in the row's middle band.
            if r_top + 0.2 * height <= centre <= r_bottom - 0.2 * height:
                row.append(box)
                break
        else:
            rows.append([box])
    rows.sort(key=lambda row: min(b.top for b in row))
    lines = []
    for row in rows:
        row.sort(key=lambda b: b.left)
        text = gap.join(b.text.strip() for b in row)
        weight = sum(len(b.text) for b in row) or 1
        conf = sum(b.confidence * len(b.text) for b in row) / weight
        rights = [b.right for b in row if b.right is not None]
        extent = None
        if len(rights) == len(row):
            extent = (row[0].left, min(b.top for b in row), max(rights), max(b.bottom for b in row))
        lines.append(TextLine(text=text, confidence=float(conf), box=extent))
    return tuple(lines)
