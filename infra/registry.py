"""Registries of issued licences: the imported lists and an outside verification service.

Both sit behind one small interface, ``RegistryLookup.lookup(fields, holder_uscc,
holder_name) -> RegistryAnswer | None``; None means no registry was consulted (none
configured or loaded). The comparison itself is pure (``verification.registry``).
"""

from __future__ import annotations

import csv
import io
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import httpx

from store import registry as store
from store.connection import Database
from verification import CertificateType, ExtractedFields, RegistryAnswer, RegistryRecord
from verification.registry import answer_from
from verification.uscc import is_valid_uscc, normalize_uscc
from verification.validators import number_shape_ok

CSV_HEADER = ("certificate_type", "number", "holder_name", "uscc", "valid_from", "valid_until")
MAX_FIELD_LENGTH = 200


class RegistryLookup(Protocol):
    """Anything that can tell what is known about a document's number and holder."""

    async def lookup(
        self, fields: ExtractedFields, *, holder_uscc: str | None, holder_name: str | None
    ) -> RegistryAnswer | None:
        """Return the registry's answer, or None when this registry was not consulted."""
        ...


# --- import ------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did: rows stored, and every rejected row with its line and reason."""

    inserted: int = 0
    replaced: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _date(value: str, name: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"{name} {value!r} is not an ISO date (YYYY-MM-DD)") from exc


def parse_row(row: dict[str, str]) -> RegistryRecord:
    """Turn one CSV row into a record.

    Raises:
        ValueError: with a message naming the field that is wrong.
    """
    if any(len(v or "") > MAX_FIELD_LENGTH for v in row.values()):
        raise ValueError(f"a field is longer than {MAX_FIELD_LENGTH} characters")
    type_name = (row.get("certificate_type") or "").strip()
    try:
        cert_type = CertificateType[type_name]
    except KeyError:
        names = ", ".join(t.name for t in CertificateType)
        raise ValueError(f"certificate_type {type_name!r} is not one of {names}") from None
    number = (row.get("number") or "").strip()
    if not number_shape_ok(cert_type, number):
        raise ValueError(f"number {number!r} is not a {cert_type.name} number")
    holder = (row.get("holder_name") or "").strip()
    if not holder:
        raise ValueError("holder_name is empty")
    uscc = normalize_uscc(row.get("uscc") or "") or None
    if uscc is not None and not is_valid_uscc(uscc):
        raise ValueError(f"uscc {uscc!r} fails the GB 32100 checksum")
    valid_from = _date(row.get("valid_from") or "", "valid_from")
    valid_until = _date(row.get("valid_until") or "", "valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        raise ValueError("valid_until is before valid_from")
    return RegistryRecord(cert_type, number, holder, uscc, valid_from, valid_until)


def parse_csv(text: str) -> tuple[list[RegistryRecord], list[tuple[int, str]]]:
    """Parse a registry CSV; return the records and the rejected (line, reason) pairs."""
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(h.strip() for h in (reader.fieldnames or ()))
    if header != CSV_HEADER:
        return [], [(1, f"the header must be {','.join(CSV_HEADER)}, got {','.join(header) or 'nothing'}")]
    records: dict[str, RegistryRecord] = {}  # a number given twice: the later row wins
    rejected = []
    for row in reader:
        try:
            record = parse_row(row)
        except ValueError as exc:
            rejected.append((reader.line_num, str(exc)))
            continue
        records[record.number] = record
    return list(records.values()), rejected


async def import_registry(db: Database, text: str, *, source: str, skip_invalid: bool = False) -> ImportReport:
    """Import a registry CSV: all rows or none, unless ``skip_invalid`` keeps the good ones."""
    records, rejected = parse_csv(text)
    report = ImportReport(rejected=rejected)
    if rejected and not skip_invalid:
        return report
    report.inserted, report.replaced = await store.replace_records(db, records, source=source)
    return report


# --- lookups -----------------------------------------------------------------------


class ImportedRegistry:
    """The lists imported with ``medcredit registry import``."""

    source = "the imported registry"

    def __init__(self, db: Database) -> None:
        self._db = db

    async def lookup(
        self, fields: ExtractedFields, *, holder_uscc: str | None, holder_name: str | None
    ) -> RegistryAnswer | None:
        """Return the imported lists' answer; None while nothing has been imported."""
        if await store.count_records(self._db) == 0:
            return None
        records = await store.candidates(self._db, number=fields.license_number, uscc=holder_uscc)
        return answer_from(records, fields, source=self.source, holder_uscc=holder_uscc, holder_name=holder_name)


def _record_from_json(item: dict[str, Any]) -> RegistryRecord:
    cert_type = CertificateType[str(item["certificate_type"])]
    return RegistryRecord(
        certificate_type=cert_type,
        number=str(item["number"]),
        holder_name=str(item["holder_name"]),
        uscc=item.get("uscc") or None,
        valid_from=date.fromisoformat(item["valid_from"]) if item.get("valid_from") else None,
        valid_until=date.fromisoformat(item["valid_until"]) if item.get("valid_until") else None,
    )


class HttpRegistry:
    """A commercial verification service over HTTP.

    ``GET <url>?number=…&uscc=…&type=…`` with ``Authorization: Bearer <key>`` answers
    ``{"records": [{certificate_type, number, holder_name, uscc, valid_from,
    valid_until}, …]}``: the records bearing on that number and holder. Answers are
    cached for ``cache_seconds`` (a document re-processed, or many of one holder, ask
    once). A service that does not answer in time yields an ``unavailable`` answer, which
    sends the document to a person rather than letting it through unchecked.
    """

    def __init__(
        self,
        url: str,
        key: str | None,
        *,
        timeout: float = 5.0,
        cache_seconds: float = 3600.0,
        cache_size: int = 10_000,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.source = url
        self._key = key
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str, str], tuple[float, list[RegistryRecord]]] = OrderedDict()
        self._transport = transport
        self.requests = 0

    async def _fetch(self, number: str, uscc: str, doc_type: str) -> list[RegistryRecord]:
        key = (number, uscc, doc_type)
        hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < self._cache_seconds:
            self._cache.move_to_end(key)
            return hit[1]
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        params = {"number": number, "uscc": uscc, "type": doc_type}
        async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as client:
            self.requests += 1
            response = await client.get(self.source, params=params, headers=headers)
        response.raise_for_status()
        records = [_record_from_json(item) for item in response.json().get("records", [])]
        self._cache[key] = (time.monotonic(), records)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return records

    async def lookup(
        self, fields: ExtractedFields, *, holder_uscc: str | None, holder_name: str | None
    ) -> RegistryAnswer | None:
        """Ask the service; an error or time-out is an ``unavailable`` answer, never a pass."""
        number = fields.license_number or ""
        doc_type = fields.doc_type.name if fields.doc_type else ""
        try:
            records = await self._fetch(number, holder_uscc or "", doc_type)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            return RegistryAnswer(source=self.source, record=None, unavailable=f"{type(exc).__name__}: {exc}")
        return answer_from(records, fields, source=self.source, holder_uscc=holder_uscc, holder_name=holder_name)


class Registries:
    """Several registries asked in order: the first that lists the number answers."""

    def __init__(self, registries: Sequence[RegistryLookup]) -> None:
        self._registries = list(registries)

    async def lookup(
        self, fields: ExtractedFields, *, holder_uscc: str | None, holder_name: str | None
    ) -> RegistryAnswer | None:
        """Return the first answer that lists the number, else the most telling other one."""
        answers = []
        for registry in self._registries:
            answer = await registry.lookup(fields, holder_uscc=holder_uscc, holder_name=holder_name)
            if answer is None:
                continue
            if answer.record is not None:
                return answer
            answers.append(answer)
        # Related records (the holder's other number) outweigh silence; an outage
        # outweighs nothing at all.
        answers.sort(key=lambda a: (not a.related, a.unavailable is None))
        return answers[0] if answers else None
