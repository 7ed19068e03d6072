"""Exceptions raised by the verification package (one base, narrow subclasses)."""

from __future__ import annotations

from common.errors import MedcreditError
from verification.types import DocumentErrorCode


class VerificationError(MedcreditError):
    """Base class of every error raised by ``verification``."""


class DocumentError(VerificationError):
    """An uploaded file cannot be read; ``code`` says why (maps to a user error)."""

    def __init__(self, code: DocumentErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"DocumentError({self.code.name}, {self.message!r})"


class OcrUnavailableError(VerificationError):
    """No OCR engine could run (missing binary or model); a transient, operator problem."""
