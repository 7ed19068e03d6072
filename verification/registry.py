"""Comparing a document with a registry of issued licences.

A carefully regenerated forgery carries no trace on the page; an authoritative list
of issued licences (imported from a regulator, or asked of a verification service)
does. This module is the pure half: it builds a ``RegistryAnswer`` from records,
compares a document with it and turns that into the ``registry`` check. Loading
records (the store, an HTTP service) is the service layer's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from verification.evidence import RegistryAnswer, RegistryRecord, serial_of
from verification.field_evidence import evidence_text, field_confidence, number_repaired
from verification.normalize import names_match
from verification.types import Check, CheckOutcome, ExtractedFields
from verification.uscc import normalize_uscc

PASS, FAIL, WARN = CheckOutcome.PASS, CheckOutcome.FAIL, CheckOutcome.WARN


def answer_from(
    records: Iterable[RegistryRecord],
    fields: ExtractedFields,
    *,
    source: str,
    holder_uscc: str | None,
    holder_name: str | None,
) -> RegistryAnswer:
    """Pick, from candidate records, the one for ``number`` and the related ones.

    Related records are the holder's (by credit code or name) of the document's type
    and any record sharing the number's serial under another type.
    """
    number, doc_type = fields.license_number, fields.doc_type
    record = None
    related = []
    serial = serial_of(number) if number else None
    uscc = normalize_uscc(holder_uscc) if holder_uscc else None
    for r in records:
        if number and r.number == number:
            record = r
            continue
        same_holder = (uscc and r.uscc and normalize_uscc(r.uscc) == uscc) or (
            holder_name and names_match(r.holder_name, holder_name)
        )
        if (
            same_holder
            and r.certificate_type is doc_type
            or serial
            and "|" in serial
            and serial_of(r.number) == serial
            and r.certificate_type is not doc_type
        ):
            related.append(r)
    return RegistryAnswer(source=source, record=record, related=tuple(related))


@dataclass(frozen=True)
class Disagreement:
    """A field on which the document and the registry differ."""

    field: str
    registry: str
    read: str


def disagreements(fields: ExtractedFields, record: RegistryRecord) -> list[Disagreement]:
    """Return the fields on which the document differs from its registry record."""
    found = []
    if fields.doc_type is not None and fields.doc_type is not record.certificate_type:
        found.append(Disagreement("doc_type", record.certificate_type.value, fields.doc_type.value))
    if fields.holder_name and not names_match(fields.holder_name, record.holder_name):
        found.append(Disagreement("holder_name", record.holder_name, fields.holder_name))
    if fields.uscc and record.uscc and normalize_uscc(fields.uscc) != normalize_uscc(record.uscc):
        found.append(Disagreement("uscc", record.uscc, fields.uscc))
    for name in ("valid_from", "valid_until"):
        mine, theirs = getattr(fields, name), getattr(record, name)
        if mine is not None and theirs is not None and mine != theirs:
            found.append(Disagreement(name, theirs.isoformat(), mine.isoformat()))
    if record.valid_until is not None and fields.valid_until is None and fields.long_term:
        found.append(Disagreement("valid_until", record.valid_until.isoformat(), "长期"))
    return found


class MemoryRegistry:
    """A registry held in memory: records by number (tests, benchmarks, small lists)."""

    def __init__(self, records: Iterable[RegistryRecord], *, source: str = "registry") -> None:
        self._records = {r.number: r for r in records}
        self.source = source

    def lookup(self, fields: ExtractedFields, *, holder_uscc: str | None, holder_name: str | None) -> RegistryAnswer:
        """Return what the registry says about the document's number and holder."""
        return answer_from(
            self._records.values(), fields, source=self.source, holder_uscc=holder_uscc, holder_name=holder_name
        )


def check_registry(fields: ExtractedFields, answer: RegistryAnswer | None, min_confidence: float) -> Check:
    """The registry check: the document against the issued record, read with confidence or left to a person."""
    if answer is None:
        return Check("registry", PASS, "no registry of issued licences was consulted")
    if answer.unavailable:
        return Check("registry", WARN, f"{answer.source} could not be asked ({answer.unavailable}): a person decides")
    if answer.record is None:
        holder_records = [r for r in answer.related if r.certificate_type is fields.doc_type]
        other_types = [r for r in answer.related if r.certificate_type is not fields.doc_type]
        if other_types:
            r = other_types[0]
            return _registry_fail(
                fields,
                ["license_number"],
                f"{answer.source} lists this serial as {r.certificate_type.value} {r.number} of {r.holder_name}, "
                f"not as {fields.license_number}",
                min_confidence,
            )
        if holder_records:
            listed = ", ".join(r.number for r in holder_records)
            return _registry_fail(
                fields,
                ["license_number"],
                f"{answer.source} lists this holder's {fields.doc_type.value if fields.doc_type else 'document'} "
                f"as {listed}, not {fields.license_number}",
                min_confidence,
            )
        return Check(
            "registry",
            PASS,
            f"{fields.license_number} is not listed in {answer.source} "
            "(registries are partial: no evidence either way)",
        )
    found = disagreements(fields, answer.record)
    if not found:
        r = answer.record
        return Check(
            "registry",
            PASS,
            f"agrees with {answer.source}: {r.number} of {r.holder_name}, "
            f"{r.valid_from} to {r.valid_until or 'no end'}",
        )
    listed = "; ".join(
        f"{d.field}: registry {d.registry}, read {d.read} ({evidence_text(fields, d.field)})" for d in found
    )
    return _registry_fail(fields, [d.field for d in found], f"differs from {answer.source}: {listed}", min_confidence)


def _registry_fail(fields: ExtractedFields, names: Sequence[str], detail: str, min_confidence: float) -> Check:
    sure = all(field_confidence(fields, n) >= min_confidence for n in names if n != "doc_type")
    if sure and not ("license_number" in names and number_repaired(fields)):
        return Check("registry", FAIL, detail)
    return Check("registry", WARN, detail + " (read without confidence: a person decides)")
