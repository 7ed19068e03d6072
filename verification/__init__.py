"""Reading and verifying customer qualification documents: pure functions over bytes,
text and plain data. OCR engines (``verification.ocr``) are the only I/O edge.
"""

from verification.checks import CustomerFacts, Purchase, VerificationResult, verify_document
from verification.errors import DocumentError, OcrUnavailableError, VerificationError
from verification.evidence import HeldDocument, RegistryAnswer, RegistryRecord
from verification.files import sniff
from verification.reading import read_document, read_text
from verification.types import (
    CertificateType,
    Check,
    CheckOutcome,
    DeviceClass,
    DocumentErrorCode,
    DocumentStatus,
    ExtractedFields,
    FieldEvidence,
    FileKind,
    TextLine,
)

__all__ = [
    "CertificateType",
    "Check",
    "CheckOutcome",
    "CustomerFacts",
    "DeviceClass",
    "DocumentError",
    "DocumentErrorCode",
    "DocumentStatus",
    "ExtractedFields",
    "FieldEvidence",
    "FileKind",
    "HeldDocument",
    "OcrUnavailableError",
    "Purchase",
    "RegistryAnswer",
    "RegistryRecord",
    "TextLine",
    "VerificationError",
    "VerificationResult",
    "read_document",
    "read_text",
    "sniff",
    "verify_document",
]
