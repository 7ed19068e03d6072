"""Review: a person approves or rejects a document the verifier was not sure of."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from infra import ids
from infra.runtime import Runtime
from services.certificates import accept_as_certificate
from services.documents import REVIEWABLE, status_event
from services.errors import ErrorCode, invalid
from store import audit as audit_store
from store import documents as store
from verification import (
    DocumentStatus,
)


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
    await status_event(rt, decided)
    return decided
