"""Qualification documents: upload, processing by the workers, and review by a person.

An upload is checked (type by content, size, pages, encryption) and stored in GridFS
before anything else; then a worker reads it, verifies it against the customer and
either makes it the customer's certificate, sends it to the review queue, or blocks.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, date, datetime
from typing import Any

from bson import ObjectId

from infra import ids
from infra.events import record_event
from infra.runtime import Runtime
from scoring.codes import Severity
from services.customers import require_customer
from services.errors import ErrorCode, invalid
from services.requests import request_rescore
from store import audit as audit_store
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
    HeldDocument,
    read_document,
    sniff,
    verify_document,
)
from verification.types import Check

FINAL = [
    s.value
    for s in (
        DocumentStatus.VERIFIED,
        DocumentStatus.NEEDS_REVIEW,
        DocumentStatus.MISMATCH,
        DocumentStatus.EXPIRED,
        DocumentStatus.REJECTED,
        DocumentStatus.FAILED,
    )
]
REVIEWABLE = [DocumentStatus.NEEDS_REVIEW.value, DocumentStatus.MISMATCH.value]
_STATUS_SEVERITY = {
    DocumentStatus.MISMATCH: Severity.HIGH,
    DocumentStatus.EXPIRED: Severity.HIGH,
    DocumentStatus.NEEDS_REVIEW: Severity.LOW,
    DocumentStatus.FAILED: Severity.MEDIUM,
    DocumentStatus.REJECTED: Severity.MEDIUM,
}


async def _status_event(rt: Runtime, document: dict[str, Any]) -> None:
    status = DocumentStatus(document["status"])
    await record_event(
        rt.db,
        rt.redis,
        "DOCUMENT_STATUS",
        _STATUS_SEVERITY.get(status, Severity.INFO),
        document["customer_id"],
        {
            "documentId": ids.encode_id("QualificationDocument", document["_id"]),
            "status": status.name,
            "fileName": document["file_name"],
        },
    )


async def upload_document(
    rt: Runtime,
    customer_id: ObjectId | None,
    file_name: str,
    data: bytes,
    declared_type: CertificateType | None,
    *,
    actor: str,
) -> dict[str, Any]:
    """Check and store an uploaded file, then queue it for reading.

    The same file uploaded again for the same customer returns the first upload's
    record instead of a second one (a failed one is queued again).

    Raises:
        InvalidInput: unknown customer; empty, too large, unsupported, corrupt, encrypted
            or too-many-pages file (nothing is stored then).
    """
    customer = await require_customer(rt.db, customer_id)
    settings = rt.settings
    try:
        kind = sniff(
            data,
            max_bytes=settings.max_upload_bytes,
            max_pages=settings.max_pages,
            max_page_points=settings.max_page_points,
            max_pixels=settings.max_image_pixels,
        )
    except DocumentError as exc:
        raise invalid(f"{file_name}: {exc.message}", exc.code, "file") from exc
    digest = hashlib.sha256(data).hexdigest()
    content_key = f"{customer['_id']}:{digest}"
    existing = await store.find_by_content(rt.db, content_key)
    if existing is not None:
        if existing["status"] == DocumentStatus.FAILED.value:
            return await _queue(rt, existing["_id"], reset=True)
        return existing
    doc_id = ObjectId()
    file_id = await store.store_file(
        rt.db,
        file_name,
        data,
        {"document_id": doc_id, "customer_id": customer["_id"], "mime": kind.mime},
    )
    record = {
        "_id": doc_id,
        "customer_id": customer["_id"],
        "file_id": file_id,
        "file_name": file_name,
        "mime": kind.mime,
        "size": len(data),
        "sha256": digest,
        "content_key": content_key,
        "declared_type": declared_type.value if declared_type else None,
        "status": DocumentStatus.QUEUED.value,
        "checks": [],
        "extracted": None,
        "uploaded_at": datetime.now(UTC),
        "uploaded_by": actor,
        "processed_at": None,
    }
    if await store.insert_document(rt.db, record) is None:
        # A concurrent upload of the same file won the race; keep one record and one file.
        await store.delete_file(rt.db, file_id)
        found = await store.find_by_content(rt.db, content_key)
        assert found is not None
        return found
    await _status_event(rt, record)
    await rt.queue.send(rt.db, "process_document", str(doc_id))
    return record


async def _queue(rt: Runtime, doc_id: ObjectId, *, reset: bool) -> dict[str, Any]:
    changes: dict[str, Any] = {"status": DocumentStatus.QUEUED.value}
    if reset:
        changes.update(checks=[], extracted=None, processed_at=None)
    document = await store.update_document(rt.db, doc_id, changes)
    assert document is not None
    await _status_event(rt, document)
    await rt.queue.send(rt.db, "process_document", str(doc_id))
    return document


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
    await _status_event(rt, started)
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
        await _status_event(rt, failed)
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
    await _status_event(rt, decided)
    return decided


def held_document(certificate: dict[str, Any]) -> HeldDocument | None:
    """The verifier's view of an accepted certificate (None for one with no number)."""
    if not certificate.get("number"):
        return None
    return HeldDocument(
        doc_type=CertificateType(certificate["type"]),
        license_number=certificate["number"],
        holder_name=certificate.get("holder_name"),
        uscc=certificate.get("uscc"),
        valid_from=dates.from_bson(certificate.get("valid_from")),
        valid_until=dates.from_bson(certificate.get("valid_until")),
    )


async def accept_as_certificate(rt: Runtime, document: dict[str, Any]) -> dict[str, Any]:
    """Make a verified document the customer's certificate of its type (renewing an older one)."""
    extracted = document["extracted"] or {}
    cert_type = extracted.get("doc_type") or document.get("declared_type")
    if cert_type is None or not extracted.get("license_number"):
        raise invalid(
            "The document has no readable type or licence number to accept.",
            ErrorCode.INVALID_STATE,
            "id",
        )
    current = await cert_store.get_certificate_by_key(
        rt.db, cert_store.certificate_key(document["customer_id"], cert_type)
    )
    if (
        current is not None
        and current.get("valid_until")
        and extracted.get("valid_until")
        and extracted["valid_until"] < current["valid_until"]
        and current.get("status") == "verified"
    ):
        return current  # an older scan arriving late never replaces a newer licence
    certificate = await cert_store.upsert_certificate(
        rt.db,
        document["customer_id"],
        cert_type,
        {
            "number": extracted["license_number"],
            # Kept so that the next document of this type is compared with them.
            "holder_name": extracted.get("holder_name"),
            "uscc": extracted.get("uscc"),
            "valid_from": extracted.get("valid_from"),
            "valid_until": extracted.get("valid_until"),
            "scope_categories": extracted.get("scope_categories", []),
            "device_classes": extracted.get("device_classes", []),
            "status": "verified",
            "source_document_id": document["_id"],
            "accepted_at": datetime.now(UTC),
        },
    )
    await record_event(
        rt.db,
        rt.redis,
        "CERTIFICATE_UPDATED",
        Severity.INFO,
        document["customer_id"],
        {
            "certificateId": ids.encode_id("Certificate", certificate["_id"]),
            "type": cert_type.upper(),
            "number": certificate["number"],
            "validUntil": certificate.get("valid_until"),
        },
    )
    await request_rescore(rt, document["customer_id"], "certificate changed")
    return certificate


async def review_document(
    rt: Runtime, doc_id: ObjectId | None, approve: bool, note: str, *, actor: str
) -> dict[str, Any]:
    """A person's decision on a doubtful document, kept with their note.

    Raises:
        InvalidInput: unknown document, empty note, or a document not awaiting review.
    """
    if not note.strip():
        raise invalid("A note is required for every review decision.", ErrorCode.REQUIRED, "note")
    document = await store.get_document(rt.db, doc_id) if doc_id is not None else None
    if document is None:
        raise invalid("No document with this id.", ErrorCode.NOT_FOUND, "id")
    if document["status"] not in REVIEWABLE:
        raise invalid(
            f"The document is {document['status'].upper()}, not awaiting review.",
            ErrorCode.INVALID_STATE,
            "id",
        )
    status = DocumentStatus.VERIFIED if approve else DocumentStatus.REJECTED
    now = datetime.now(UTC)
    decided = await store.update_document(
        rt.db,
        document["_id"],
        {
            "status": status.value,
            "review": {"by": actor, "at": now, "approve": approve, "note": note.strip()},
        },
        only_if_status=REVIEWABLE,
    )
    if decided is None:
        raise invalid("The document was decided by someone else meanwhile.", ErrorCode.INVALID_STATE, "id")
    if approve:
        # Only after winning the decision: a rival rejection must not leave a certificate.
        await accept_as_certificate(rt, decided)
    await rt.audit.write(
        audit_store.entry(
            document["customer_id"],
            "DOCUMENT_APPROVED" if approve else "DOCUMENT_REJECTED",
            actor,
            {"documentId": ids.encode_id("QualificationDocument", document["_id"]), "note": note.strip()},
        )
    )
    await _status_event(rt, decided)
    return decided
