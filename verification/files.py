"""Decide what an uploaded file is from its content, and refuse what cannot be read.

The name and the declared MIME type of an upload are not trusted: the magic bytes
decide, and the file is opened once to catch corruption and encryption before it is
stored and queued.
"""

from __future__ import annotations

import io
import warnings

from verification.errors import DocumentError
from verification.types import DocumentErrorCode, FileKind

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PAGES = 10

_PDF_MAGIC = b"%PDF-"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def kind_of(data: bytes) -> FileKind | None:
    """Return the file kind given by the magic bytes, or None if not PDF, JPEG or PNG."""
    if data.startswith(_PNG_MAGIC):
        return FileKind.PNG
    if data.startswith(_JPEG_MAGIC):
        return FileKind.JPEG
    # Some producers put a few bytes (BOM, whitespace) before the PDF header; the
    # PDF spec lets readers look within the first 1024 bytes.
    if _PDF_MAGIC in data[:1024]:
        return FileKind.PDF
    return None


def sniff(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> FileKind:
    """Return the kind of an uploaded file after checking it can be read.

    Parameters:
        data: the file's bytes.
        max_bytes: largest accepted size.
        max_pages: most PDF pages accepted.

    Raises:
        DocumentError: with code EMPTY_FILE, TOO_LARGE, UNSUPPORTED_TYPE, CORRUPT,
            ENCRYPTED or TOO_MANY_PAGES.

    Returns:
        The file kind (PDF, JPEG or PNG).
    """
    if not data:
        raise DocumentError(DocumentErrorCode.EMPTY_FILE, "the file is empty")
    if len(data) > max_bytes:
        raise DocumentError(
            DocumentErrorCode.TOO_LARGE,
            f"the file has {len(data)} bytes, more than the limit of {max_bytes}",
        )
    kind = kind_of(data)
    if kind is None:
        raise DocumentError(DocumentErrorCode.UNSUPPORTED_TYPE, "only PDF, JPEG and PNG files are accepted")
    if kind is FileKind.PDF:
        pages = pdf_page_count(data)
        if pages == 0:
            raise DocumentError(DocumentErrorCode.CORRUPT, "the PDF has no pages")
        if pages > max_pages:
            raise DocumentError(
                DocumentErrorCode.TOO_MANY_PAGES,
                f"the PDF has {pages} pages, more than the limit of {max_pages}",
            )
    else:
        _check_image(data)
    return kind


def pdf_page_count(data: bytes) -> int:
    """Return the number of pages of a PDF.

    Raises:
        DocumentError: CORRUPT if the PDF cannot be parsed, ENCRYPTED if it is encrypted.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            # An encrypted PDF cannot be read by the worker without its password, and
            # the uploader is better told now than after a failed OCR run.
            if reader.is_encrypted:
                raise DocumentError(DocumentErrorCode.ENCRYPTED, "the PDF is password-protected")
            return len(reader.pages)
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(DocumentErrorCode.CORRUPT, f"the PDF cannot be parsed: {exc}") from exc
    except RecursionError as exc:
        raise DocumentError(DocumentErrorCode.CORRUPT, "the PDF structure is malformed") from exc


def _check_image(data: bytes) -> None:
    """Decode an image fully so truncated or damaged files are refused up front."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            width, height = img.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DocumentError(DocumentErrorCode.CORRUPT, f"the image cannot be decoded: {exc}") from exc
    except Image.DecompressionBombError as exc:
        raise DocumentError(DocumentErrorCode.TOO_LARGE, "the image has too many pixels") from exc
    if width < 32 or height < 32:
        raise DocumentError(DocumentErrorCode.UNREADABLE, "the image is too small to read")
