"""Certificates: a verified (or approved) document becomes the customer's certificate of its type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from infra import ids
from infra.events import record_event
from infra.runtime import Runtime
from scoring.codes import Severity
from services.errors import ErrorCode, invalid
from services.requests import request_rescore
from store import certificates as cert_store
from store import dates
from verification import (
    CertificateType,
    HeldDocument,
)


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
