"""Comparing a document with a registry of issued licences.

A carefully regenerated forgery carries no trace on the page; an authoritative list
of issued licences (imported from a regulator, or asked of a verification service)
does. This module is the pure half: it builds a ``RegistryAnswer`` from records and
compares a document with it. Loading records (the store, an HTTP service) is the
service layer's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from verification.evidence import RegistryAnswer, RegistryRecord, serial_of
from verification.normalize import names_match
from verification.types import ExtractedFields
from verification.uscc import normalize_uscc


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
