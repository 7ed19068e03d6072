"""Decide what an uploaded file is from its content, and refuse what cannot be read.

The name and the declared MIME type of an upload are not trusted: the magic bytes
decide, and the file is opened once to catch corruption and encryption before it is
stored and queued.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from verification.errors import DocumentError
from verification.types import DocumentErrorCode, FileKind

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PAGES = 10
# A few bytes can declare a huge page or image, and reading one costs memory in
# proportion to its area, not its file size: a 2 KB PDF with 5000-pt pages or a 35 KB
# PNG of 176 megapixels took a worker to several GB. Licences are A4/A3 documents and
# phone photos, so these limits leave ample room (A3 is 842 x 1191 pt; a 24 MP photo
# still fits) while bounding what one upload can cost.
DEFAULT_MAX_PAGE_POINTS = 2000  # longest page side, in PDF points (1/72 inch): ~70 cm
DEFAULT_MAX_PIXELS = 25_000_000  # width x height of an uploaded image

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
    max_page_points: float = DEFAULT_MAX_PAGE_POINTS,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> FileKind:
    """Return the kind of an uploaded file after checking it can be read.

    Parameters:
        data: the file's bytes.
        max_bytes: largest accepted size.
        max_pages: most PDF pages accepted.
        max_page_points: longest accepted PDF page side, in points.
        max_pixels: largest accepted image area (width x height).

    Raises:
        DocumentError: with code EMPTY_FILE, TOO_LARGE (file, page or image size),
            UNSUPPORTED_TYPE, CORRUPT, ENCRYPTED or TOO_MANY_PAGES.

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
        sizes = pdf_page_sizes(data)
        if not sizes:
            raise DocumentError(DocumentErrorCode.CORRUPT, "the PDF has no pages")
        if len(sizes) > max_pages:
            raise DocumentError(
                DocumentErrorCode.TOO_MANY_PAGES,
                f"the PDF has {len(sizes)} pages, more than the limit of {max_pages}",
            )
        for number, (width, height) in enumerate(sizes, 1):
            if max(width, height) > max_page_points:
                raise DocumentError(
                    DocumentErrorCode.TOO_LARGE,
                    f"page {number} is {width:.0f} x {height:.0f} pt, larger than the limit of "
                    f"{max_page_points:.0f} pt per side",
                )
    else:
        _check_image(data, max_pixels)
    return kind


def pdf_page_sizes(data: bytes) -> list[tuple[float, float]]:
    """Return each page's (width, height) in points, as the page declares it.

    Raises:
        DocumentError: CORRUPT if the PDF cannot be parsed, ENCRYPTED if it is encrypted.
    """
    from pypdf.errors import PyPdfError

    reader = _reader(data)
    try:
        sizes = []
        for page in reader.pages:
            box = page.mediabox
            unit = float(page.user_unit or 1)
            sizes.append((abs(float(box.width)) * unit, abs(float(box.height)) * unit))
        return sizes
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(DocumentErrorCode.CORRUPT, f"the PDF cannot be parsed: {exc}") from exc
    except RecursionError as exc:
        raise DocumentError(DocumentErrorCode.CORRUPT, "the PDF structure is malformed") from exc


def pdf_page_count(data: bytes) -> int:
    """Return the number of pages of a PDF.

    Raises:
        DocumentError: CORRUPT if the PDF cannot be parsed, ENCRYPTED if it is encrypted.
    """
    from pypdf.errors import PyPdfError

    try:
        return len(_reader(data).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(DocumentErrorCode.CORRUPT, f"the PDF cannot be parsed: {exc}") from exc
    except RecursionError as exc:
        raise DocumentError(DocumentErrorCode.CORRUPT, "the PDF structure is malformed") from exc


def _reader(data: bytes) -> Any:
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
            return reader
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(DocumentErrorCode.CORRUPT, f"the PDF cannot be parsed: {exc}") from exc
    except RecursionError as exc:
        raise DocumentError(DocumentErrorCode.CORRUPT, "the PDF structure is malformed") from exc


def _check_image(data: bytes, max_pixels: int) -> None:
    """Refuse images above ``max_pixels`` from their header, then decode the rest fully
    so truncated or damaged files are refused up front."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size  # from the header: nothing is decoded yet
            if width * height > max_pixels:
                raise DocumentError(
                    DocumentErrorCode.TOO_LARGE,
                    f"the image is {width} x {height} = {width * height / 1e6:.0f} megapixels, "
                    f"more than the limit of {max_pixels / 1e6:.0f}",
                )
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DocumentError(DocumentErrorCode.CORRUPT, f"the image cannot be decoded: {exc}") from exc
    except Image.DecompressionBombError as exc:
        raise DocumentError(DocumentErrorCode.TOO_LARGE, "the image has too many pixels") from exc
    if width < 32 or height < 32:
        raise DocumentError(DocumentErrorCode.UNREADABLE, "the image is too small to read")
