"""Plain types shared by the verification package: enums, extracted fields, checks.

Enum member names equal the GraphQL contract names; their values are the lower-case
strings used in JSON (``medcredit extract``) and in storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any


class CertificateType(Enum):
    """The kinds of qualification document the product reads."""

    BUSINESS_LICENSE = "business_license"
    OPERATION_LICENSE = "operation_license"
    CLASS2_FILING = "class2_filing"
    PRODUCTION_LICENSE = "production_license"
    REGISTRATION_CERTIFICATE = "registration_certificate"
    MEDICAL_INSTITUTION_LICENSE = "medical_institution_license"


class DeviceClass(Enum):
    """Medical-device risk class (I lowest, III highest)."""

    I = "I"  # noqa: E741 - the regulatory name of the class
    II = "II"
    III = "III"


class DocumentStatus(Enum):
    """Life-cycle status of an uploaded document."""

    QUEUED = "queued"
    PROCESSING = "processing"
    VERIFIED = "verified"
    NEEDS_REVIEW = "needs_review"
    MISMATCH = "mismatch"
    EXPIRED = "expired"
    REJECTED = "rejected"
    FAILED = "failed"


class CheckOutcome(Enum):
    """Result of one verification check."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"


class DocumentErrorCode(Enum):
    """Why an uploaded file cannot be read at all."""

    UNSUPPORTED_TYPE = "unsupported_type"
    EMPTY_FILE = "empty_file"
    TOO_LARGE = "too_large"
    TOO_MANY_PAGES = "too_many_pages"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    UNREADABLE = "unreadable"
    OCR_UNAVAILABLE = "ocr_unavailable"


class FileKind(Enum):
    """File formats accepted for upload, decided from the content's magic bytes."""

    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"

    @property
    def mime(self) -> str:
        """Return the MIME type of this kind."""
        return {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[self.value]


@dataclass(frozen=True)
class TextLine:
    """One line of text read from a page, with the reader's confidence (0..1)."""

    text: str
    confidence: float = 1.0
    # Where the line lies in the image it was read from: (left, top, right, bottom) in
    # pixels, when the reader says (OCR engines do; a PDF's text layer does not).
    box: tuple[float, float, float, float] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FieldEvidence:
    """Where one field's value came from: the raw text read, the engine and its confidence."""

    raw: str
    engine: str
    confidence: float
    box: tuple[float, float, float, float] | None = field(default=None, compare=False)

    def to_json_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        return {"raw": self.raw, "engine": self.engine, "confidence": round(self.confidence, 4)}


@dataclass(frozen=True)
class ExtractedFields:
    """Fields read from one document, with per-field evidence.

    ``confidence`` is 0..1 for the document as a whole; ``evidence`` maps a field name
    (``license_number``, ``holder_name``, ``uscc``, ``valid_until`` ...) to its evidence.
    ``long_term`` is True when the document states 长期 (no end date) - then
    ``valid_until`` is None on purpose, not because it was unreadable.
    """

    doc_type: CertificateType | None
    license_number: str | None = None
    holder_name: str | None = None
    uscc: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    issuing_authority: str | None = None
    scope_categories: tuple[str, ...] = ()
    device_classes: tuple[DeviceClass, ...] = ()
    confidence: float = 0.0
    engine: str = ""
    long_term: bool = False
    evidence: dict[str, FieldEvidence] = field(default_factory=dict, compare=False)
    notes: tuple[str, ...] = ()
    # Tamper signals found while reading (``verification.tamper``): named checks that
    # send the document to a person. Not part of the reading itself.
    signals: tuple[Check, ...] = field(default=(), compare=False)

    def to_json_dict(self) -> dict[str, Any]:
        """Return the ``medcredit extract`` JSON object (plus ``device_classes``)."""
        return {
            "doc_type": self.doc_type.value if self.doc_type else None,
            "license_number": self.license_number,
            "holder_name": self.holder_name,
            "uscc": self.uscc,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "issuing_authority": self.issuing_authority,
            "scope_categories": list(self.scope_categories),
            "confidence": round(self.confidence, 4),
            "engine": self.engine,
            "device_classes": [c.value for c in self.device_classes],
        }

    def evidence_json(self) -> dict[str, Any]:
        """Return the per-field evidence and reading notes as a JSON-able dict."""
        return {
            "fields": {k: v.to_json_dict() for k, v in self.evidence.items()},
            "long_term": self.long_term,
            "notes": list(self.notes),
            "signals": [{"name": c.name, "outcome": c.outcome.value, "detail": c.detail} for c in self.signals],
        }


@dataclass(frozen=True)
class Check:
    """One verification check and the evidence behind its outcome."""

    name: str
    outcome: CheckOutcome
    detail: str
