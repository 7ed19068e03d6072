"""The registry of issued licences: records imported from regulators' published lists.

Each record's ``_id`` is the licence number, so importing the same number again
replaces its record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ReplaceOne

from store import dates
from store.connection import Database
from verification import CertificateType, RegistryRecord
from verification.evidence import serial_of

REGISTRY = "registry"


def _to_document(record: RegistryRecord, source: str, now: datetime) -> dict[str, Any]:
    return {
        "_id": record.number,
        "certificate_type": record.certificate_type.value,
        "holder_name": record.holder_name,
        "uscc": record.uscc,
        "serial": serial_of(record.number),
        "valid_from": dates.to_bson(record.valid_from),
        "valid_until": dates.to_bson(record.valid_until),
        "source": source,
        "imported_at": now,
    }


def _to_record(doc: dict[str, Any]) -> RegistryRecord:
    return RegistryRecord(
        certificate_type=CertificateType(doc["certificate_type"]),
        number=doc["_id"],
        holder_name=doc["holder_name"],
        uscc=doc.get("uscc"),
        valid_from=dates.from_bson(doc.get("valid_from")),
        valid_until=dates.from_bson(doc.get("valid_until")),
    )


async def replace_records(db: Database, records: Sequence[RegistryRecord], *, source: str) -> tuple[int, int]:
    """Insert or replace records by number in one batch; return (inserted, replaced)."""
    if not records:
        return 0, 0
    now = datetime.now(UTC)
    ops = [ReplaceOne({"_id": r.number}, _to_document(r, source, now), upsert=True) for r in records]
    result = await db[REGISTRY].bulk_write(ops, ordered=False)
    return int(result.upserted_count), int(result.matched_count)


async def count_records(db: Database) -> int:
    """Return how many records the registry holds."""
    return int(await db[REGISTRY].count_documents({}))


async def candidates(db: Database, *, number: str | None, uscc: str | None) -> list[RegistryRecord]:
    """Return the records that bear on a document: its number, its serial, its holder's code."""
    clauses: list[dict[str, Any]] = []
    if number:
        clauses += [{"_id": number}, {"serial": serial_of(number)}]
    if uscc:
        clauses.append({"uscc": uscc})
    if not clauses:
        return []
    return [_to_record(doc) async for doc in db[REGISTRY].find({"$or": clauses}).limit(200)]
