"""Qualification documents: the statuses they pass through, and the event each change raises.

The rest of a document's life has a module each: ``services.uploads`` (checked and
stored, then queued), ``services.document_reading`` (a worker reads and verifies it),
``services.certificates`` (a verified document becomes the customer's certificate) and
``services.document_review`` (a person decides a doubtful one).
"""

from __future__ import annotations

from typing import Any

from infra import ids
from infra.events import record_event
from infra.runtime import Runtime
from scoring.codes import Severity
from verification import (
    DocumentStatus,
)

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


async def status_event(rt: Runtime, document: dict[str, Any]) -> None:
    """Tell subscribers a document's status (``DOCUMENT_STATUS``), with a severity by status."""
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
