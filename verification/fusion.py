"""Choosing, field by field, the reading that validates among several OCR readings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from verification.extraction.fields import field_valid, key_fields, with_confidence
from verification.types import CertificateType, ExtractedFields, FieldEvidence
from verification.validators import term_consistent

# A key field on which validating readings disagree costs this share of confidence.
DISAGREEMENT_FACTOR = 0.7


def complete(fields: ExtractedFields, *, judge_term: bool = True) -> bool:
    """Tell whether a reading needs no further attempt.

    Every key field validates, and the validity end is either read (and consistent
    with a five-year term where one applies) or legitimately absent (长期, filings).
    ``judge_term=False`` skips the five-year hint: it exists to catch OCR digit
    errors, and a reading without them (a PDF's text layer) may carry a reissued
    licence whose issue date is not five years before its end.
    """
    if fields.doc_type is None:
        return False
    if not all(field_valid(fields, name) for name in key_fields(fields.doc_type)):
        return False
    if fields.doc_type is CertificateType.CLASS2_FILING or fields.long_term:
        return True
    if fields.valid_until is None:
        return False
    if not judge_term:
        return True
    return term_consistent(fields.doc_type, fields.valid_from, fields.valid_until) is not False


def fuse(readings: Sequence[ExtractedFields], *, hint: CertificateType | None = None) -> ExtractedFields:
    """Combine readings of one document, taking each field from the reading that validates.

    Among readings whose value for a field validates, the most frequent value wins,
    then the earliest reading (the primary engine). Dates are taken as a pair so that
    a five-year term stays consistent. Disagreement between validating readings on a
    key field lowers the confidence and is noted.
    """
    if len(readings) == 1:
        return readings[0]
    doc_type = _vote([r.doc_type for r in readings if r.doc_type is not None]) or hint
    pool = [r for r in readings if r.doc_type in (doc_type, None)] or list(readings)
    pool = [replace(r, doc_type=doc_type) for r in pool]
    chosen: dict[str, Any] = {}
    evidence: dict[str, FieldEvidence] = {}
    notes: list[str] = []
    for name in ("license_number", "holder_name", "uscc", "issuing_authority"):
        value, source, disagree = _pick(pool, name)
        chosen[name] = value
        if source is not None and name in source.evidence:
            evidence[name] = source.evidence[name]
        if disagree and name in key_fields(doc_type):
            notes.append(f"engines disagree on {name}: {', '.join(disagree)}")
    dates_from = _pick_dates(pool)
    for name in ("valid_from", "valid_until"):
        chosen[name] = getattr(dates_from, name)
        if name in dates_from.evidence:
            evidence[name] = dates_from.evidence[name]
    scope_from = next((r for r in pool if r.scope_categories), pool[0])
    fused = replace(
        pool[0],
        doc_type=doc_type,
        scope_categories=scope_from.scope_categories,
        device_classes=scope_from.device_classes or pool[0].device_classes,
        long_term=dates_from.long_term,
        engine="+".join(dict.fromkeys(r.engine for r in readings)),
        evidence=evidence,
        notes=tuple(notes),
        **chosen,
    )
    fused = with_confidence(fused)
    if notes:
        fused = replace(fused, confidence=round(fused.confidence * DISAGREEMENT_FACTOR, 4))
    return fused


def _vote(values: Sequence[Any]) -> Any:
    if not values:
        return None
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


def _pick(pool: Sequence[ExtractedFields], name: str) -> tuple[Any, ExtractedFields | None, list[str]]:
    valid = [r for r in pool if getattr(r, name) and field_valid(r, name)]
    candidates = valid or [r for r in pool if getattr(r, name)]
    if not candidates:
        return None, None, []
    value = _vote([getattr(r, name) for r in candidates])
    source = next(r for r in candidates if getattr(r, name) == value)
    distinct = list(dict.fromkeys(str(getattr(r, name)) for r in valid))
    return value, source, distinct if len(distinct) > 1 else []


def _pick_dates(pool: Sequence[ExtractedFields]) -> ExtractedFields:
    def score(r: ExtractedFields) -> tuple[int, int, int]:
        consistent = term_consistent(r.doc_type, r.valid_from, r.valid_until)
        sane = field_valid(r, "valid_until") or r.long_term
        pair = (r.valid_from, r.valid_until, r.long_term)
        votes = sum((o.valid_from, o.valid_until, o.long_term) == pair for o in pool)
        return (int(consistent is True), int(sane), votes)

    best = max(score(r) for r in pool)
    return next(r for r in pool if score(r) == best)
