"""What a check says about a read field: what was read, by which engine, how sure, whether repaired."""

from __future__ import annotations

from verification.normalize import nfkc
from verification.types import ExtractedFields


def evidence_text(fields: ExtractedFields, name: str) -> str:
    """What was read for ``name``, by which engine and with what confidence."""
    ev = fields.evidence.get(name)
    if ev is None:
        return f"engine {fields.engine} (confidence {fields.confidence:.2f})"
    return f"read {ev.raw!r} by {ev.engine} (confidence {ev.confidence:.2f})"


def field_confidence(fields: ExtractedFields, name: str) -> float:
    """The confidence of field ``name``: its own where the reader kept it, else the page's."""
    ev = fields.evidence.get(name)
    return ev.confidence if ev else fields.confidence


def number_repaired(fields: ExtractedFields) -> bool:
    """Tell whether the licence number was read only after look-alike substitution.

    The raw text, made half-width and without spaces, contains the number verbatim
    unless characters in it were replaced (O→0, l→1 …).
    """
    ev = fields.evidence.get("license_number")
    if ev is None or not fields.license_number:
        return False
    raw = "".join(nfkc(ev.raw).split())
    return fields.license_number not in raw and fields.license_number.upper() not in raw.upper()
