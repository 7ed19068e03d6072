"""Reading an upload: a worker reads it, verifies it against the customer, and files it
as the customer's certificate, sends it to the review queue, or blocks it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from bson import ObjectId

from infra.runtime import Runtime
from services.certificates import accept_as_certificate, held_document
from services.documents import status_event
from store import certificates as cert_store
from store import customers as customer_store
from store import dates
from store import documents as store
from verification import (
    CertificateType,
    CheckOutcome,
    CustomerFacts,
    DocumentError,
    DocumentStatus,
    ExtractedFields,
    read_document,
    verify_document,
)
from verification.types import Check


def _extracted_document(fields: ExtractedFields) -> dict[str, Any]:
    return {
        "doc_type": fields.doc_type.value if fields.doc_type else None,
        "license_number": fields.license_number,
        "holder_name": fields.holder_name,
        "uscc": fields.uscc,
        "valid_from": dates.to_bson(fields.valid_from),
        "valid_until": dates.to_bson(fields.valid_until),
        "issuing_authority": fields.issuing_authority,
        "scope_categories": list(fields.scope_categories),
        "device_classes": [c.value for c in fields.device_classes],
        "confidence": fields.confidence,
        "engine": fields.engine,
        "long_term": fields.long_term,
        "evidence": fields.evidence_json(),
    }


def _check_documents(checks: list[Check] | tuple[Check, ...]) -> list[dict[str, str]]:
    return [{"name": c.name, "outcome": c.outcome.value, "detail": c.detail} for c in checks]


async def process_document(rt: Runtime, doc_id: ObjectId, *, today: date) -> dict[str, Any] | None:
    """Read, verify and file one queued document; a no-op for one already decided.

    Raises:
        OcrUnavailableError: no OCR engine could run (the actor retries).
    """
    started = await store.update_document(
        rt.db,
        doc_id,
        {"status": DocumentStatus.PROCESSING.value},
        only_if_status=[DocumentStatus.QUEUED.value, DocumentStatus.PROCESSING.value],
    )
    if started is None:
        return await store.get_document(rt.db, doc_id)  # unknown, or decided already
    await status_event(rt, started)
    data = await store.read_file(rt.db, started["file_id"])
    declared = CertificateType(started["declared_type"]) if started.get("declared_type") else None
    customer = await customer_store.get_customer(rt.db, started["customer_id"])
    if customer is None:  # customers are never deleted: this is corrupt data, not a user's mistake
        raise RuntimeError(f"document {doc_id} belongs to no customer")
    try:
        # OCR is CPU-bound: keep it off the event loop that every actor shares.
        fields = await asyncio.to_thread(read_document, data, hint=declared)
    except DocumentError as exc:
        failed = await store.update_document(
            rt.db,
            doc_id,
            {
                "status": DocumentStatus.FAILED.value,
                "processed_at": datetime.now(UTC),
                "checks": _check_documents([Check("file", CheckOutcome.FAIL, exc.message)]),
            },
        )
        assert failed is not None
        await status_event(rt, failed)
        return failed
    facts = CustomerFacts(legal_name=customer["legal_name"], uscc=customer.get("uscc"), customer_type=customer["type"])
    held = [held_document(c) for c in await cert_store.certificates_of(rt.db, customer["_id"])]
    answer = await rt.registry.lookup(fields, holder_uscc=customer.get("uscc"), holder_name=customer["legal_name"])
    result = verify_document(
        fields,
        facts,
        today=today,
        expected_type=declared,
        history=[h for h in held if h is not None],
        registry=answer,
        rules=rt.rules,
        policy=rt.policy,
    )
    decided = await store.update_document(
        rt.db,
        doc_id,
        {
            "status": result.status.value,
            "checks": _check_documents(result.checks),
            "extracted": _extracted_document(fields),
            "certificate_type": fields.doc_type.value if fields.doc_type else started.get("declared_type"),
            "processed_at": datetime.now(UTC),
        },
    )
    assert decided is not None
    if result.status is DocumentStatus.VERIFIED:
        await accept_as_certificate(rt, decided)
    await status_event(rt, decided)
    return decided
