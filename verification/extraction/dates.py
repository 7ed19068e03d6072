"""Dates and validity ranges as printed on licences."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# OCR puts spaces inside dates and reads 日 as 曰/目; the separators cover
# 2027年05月19日, 2027年5月19日, 2027-05-19, 2027.05.19 and 2027/5/19.
DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})(?!\d)\s*[日曰目]?")
_LONG_TERM_RE = re.compile(r"长期|永久|无固定期限|不约定期限")


@dataclass(frozen=True)
class Validity:
    """A validity range read from one labelled value."""

    valid_from: date | None
    valid_until: date | None
    long_term: bool


def parse_date(text: str) -> date | None:
    """Return the first valid calendar date in ``text``, or None."""
    for m in DATE_RE.finditer(text):
        value = _to_date(m)
        if value is not None:
            return value
    return None


def all_dates(text: str) -> list[tuple[int, date]]:
    """Return every valid calendar date in ``text`` with its start offset."""
    found = []
    for m in DATE_RE.finditer(text):
        value = _to_date(m)
        if value is not None:
            found.append((m.start(), value))
    return found


def parse_validity(text: str, *, until_label: bool = False) -> Validity:
    """Read a validity range such as ``自2022年05月20日至2027年05月19日`` or ``…至长期``.

    Parameters:
        text: the labelled value.
        until_label: True when the label itself means "valid until" (有效期至), so a
            single date is the end date.

    Returns:
        The range; ``long_term`` is True when the end is 长期 (no end).
    """
    dates = all_dates(text)
    long_term = bool(_LONG_TERM_RE.search(text))
    if len(dates) >= 2:
        start, end = dates[0][1], dates[1][1]
        return Validity(start, None if long_term else end, long_term)
    if len(dates) == 1:
        pos, value = dates[0]
        before = text[:pos]
        if long_term:
            return Validity(value, None, True)
        starts = ("自" in before or "起" in text[pos:]) and "至" not in before
        if starts and not until_label:
            return Validity(value, None, False)
        return Validity(None, value, False)
    return Validity(None, None, long_term)


def _to_date(m: re.Match[str]) -> date | None:
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
