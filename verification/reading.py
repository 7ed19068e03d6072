"""Reading a document: text layer first, OCR of rendered pages or photos otherwise.

OCR engines are the only I/O edge. The primary engine's reading is validated
(credit-code checksum, number shape, date sanity); when a key field fails, further
engines and image preparations are tried and each field is taken from the reading
that validates (see ``fusion``).
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from verification.errors import DocumentError, OcrUnavailableError
from verification.extraction import extract_fields, field_valid, key_fields
from verification.extraction.detect import title_position
from verification.files import kind_of, pdf_page_count
from verification.fusion import complete, fuse
from verification.ocr.base import OcrEngine
from verification.ocr.preprocess import decode_image, is_sideways, prepare
from verification.pdfium import open_pdf
from verification.tamper import pdf_signals, pdf_structure
from verification.types import (
    CertificateType,
    DocumentErrorCode,
    ExtractedFields,
    FileKind,
    TextLine,
)

TEXT_LAYER_ENGINE = "text-layer"
# A text layer with fewer meaningful characters than this is a scanner's stub (or
# empty); such PDFs are OCRed instead.
MIN_TEXT_LAYER_CHARS = 40
RENDER_DPI = 200
# An A4 page at 200 dpi is 3.9 megapixels; the cap only bites on oversized pages.
RENDER_MAX_PIXELS = 6_000_000
MAX_OCR_PAGES = 3

# The first reading is the primary engine on the seal-free, deskewed page. Further
# attempts, in order, run only while a key field fails validation; each is
# (engine index, preparation variant). The primary on the untouched image comes
# next: measured on generated scans, tesseract's Chinese names are wrong often enough
# (about one in four) that it is better asked after RapidOCR has had a second look.
_FIRST: tuple[int, str] = (0, "nored")
_PLAN: tuple[tuple[int, str], ...] = ((0, "plain"), (1, "nored"), (0, "binary"))

_DEFAULT_ENGINES: list[OcrEngine] = []


def default_engines() -> list[OcrEngine]:
    """Return the engines in order of trust: RapidOCR first, tesseract second."""
    if not _DEFAULT_ENGINES:
        from verification.ocr.rapid import RapidOcrEngine
        from verification.ocr.tesseract import TesseractEngine

        _DEFAULT_ENGINES.extend([RapidOcrEngine(), TesseractEngine()])
    return list(_DEFAULT_ENGINES)


def read_document(
    data: bytes,
    *,
    engines: Sequence[OcrEngine] | None = None,
    hint: CertificateType | None = None,
    max_pages: int = MAX_OCR_PAGES,
) -> ExtractedFields:
    """Read the fields of one uploaded document (PDF, JPEG or PNG).

    Parameters:
        data: the file's bytes.
        engines: OCR engines in order of trust; defaults to RapidOCR then tesseract.
        hint: the type the uploader declared, used when the text does not tell.
        max_pages: how many PDF pages are OCRed at most.

    Raises:
        DocumentError: UNSUPPORTED_TYPE, CORRUPT, ENCRYPTED or UNREADABLE.
        OcrUnavailableError: when no OCR engine can run.

    Returns:
        The extracted fields with evidence and confidence.
    """
    kind = kind_of(data)
    if kind is None:
        raise DocumentError(DocumentErrorCode.UNSUPPORTED_TYPE, "not a PDF, JPEG or PNG file")
    prior: list[ExtractedFields] = []
    if kind is FileKind.PDF:
        lines = pdf_text_lines(data)
        if _meaningful_chars(lines) >= MIN_TEXT_LAYER_CHARS:
            fields = extract_fields(lines, engine=TEXT_LAYER_ENGINE, hint=hint, repair=False)
            if complete(fields, judge_term=False):
                chosen = list(engines) if engines is not None else default_engines()
                return replace(fields, signals=pdf_signals(data, fields, chosen))
            # A text layer that leaves key fields unread may be a scanner's own poor
            # OCR over the page image: read the image too and keep what validates.
            prior.append(fields)
        images = render_pdf(data, max_pages=max_pages)
    else:
        try:
            images = [decode_image(data)]
        except (OSError, ValueError) as exc:
            raise DocumentError(DocumentErrorCode.CORRUPT, f"cannot decode image: {exc}") from exc
    fields = read_images(images, engines=engines, hint=hint, prior=prior)
    if kind is FileKind.PDF:
        fields = replace(fields, signals=(*fields.signals, pdf_structure(data)))
    return fields


def read_images(
    images: Sequence[np.ndarray],
    *,
    engines: Sequence[OcrEngine] | None = None,
    hint: CertificateType | None = None,
    prior: Sequence[ExtractedFields] = (),
) -> ExtractedFields:
    """OCR page images and return the fields, trying more readings while key fields fail.

    Parameters:
        images: page images (BGR arrays).
        engines: OCR engines in order of trust; defaults to RapidOCR then tesseract.
        hint: the type the uploader declared.
        prior: readings already made (e.g. an incomplete text layer) to fuse with.

    Raises:
        DocumentError: UNREADABLE when no licence field could be read at all.
        OcrUnavailableError: when no engine can run.
    """
    chosen = list(engines) if engines is not None else default_engines()
    if not chosen:
        raise ValueError("at least one OCR engine is needed")
    readings = list(prior)
    images, first = _upright(images, chosen[0], hint)
    if first is not None:
        readings.append(first)
    unavailable: OcrUnavailableError | None = None
    for attempt, (engine_index, variant) in enumerate((_FIRST, *_PLAN)):
        if readings and complete(fuse(readings, hint=hint)):
            break
        if engine_index >= len(chosen) or (attempt == 0 and first is not None):
            continue
        try:
            fields, lines = _ocr(images, chosen[engine_index], variant, hint)
        except OcrUnavailableError as exc:
            # A missing secondary engine degrades accuracy, not availability.
            unavailable = exc
            continue
        if attempt == 0 and not lines:
            raise DocumentError(DocumentErrorCode.UNREADABLE, "no text found on the page")
        if attempt == 0 and first is None and _looks_upside_down(fields, lines):
            images, fields = _better_upside_down(images, fields, chosen[engine_index], variant, hint)
        readings.append(fields)
    if not readings:
        raise unavailable or OcrUnavailableError("no OCR engine could run")
    fields = fuse(readings, hint=hint)
    if not _anything_read(fields):
        raise DocumentError(DocumentErrorCode.UNREADABLE, "no licence text could be read")
    return fields


def _upright(
    images: Sequence[np.ndarray], engine: OcrEngine, hint: CertificateType | None
) -> tuple[list[np.ndarray], ExtractedFields | None]:
    """Turn pages photographed sideways (no EXIF tag) upright.

    Which quarter turn is right cannot be told from the ink alone, so both are read
    and the reading with more validated fields wins; it becomes the first reading.
    """
    if not images or not is_sideways(images[0]):
        return list(images), None
    best: tuple[tuple[int, int, float], list[np.ndarray], ExtractedFields] | None = None
    for turn in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE):
        turned = [cv2.rotate(image, turn) for image in images]
        fields, _ = _ocr(turned, engine, _FIRST[1], hint)
        valid = sum(field_valid(fields, k) for k in key_fields(fields.doc_type))
        score = (valid, int(fields.doc_type is not None), fields.confidence)
        if best is None or score > best[0]:
            best = (score, turned, fields)
    assert best is not None
    return best[1], best[2]


def _looks_upside_down(fields: ExtractedFields, lines: Sequence[TextLine]) -> bool:
    """A page whose title comes out at the bottom, or whose reading yields nothing at all."""
    position = title_position([line.text for line in lines])
    if position is not None:
        return position > 0.5
    return _quality(fields) < (1, 1)


def _quality(fields: ExtractedFields) -> tuple[int, int]:
    valid = sum(field_valid(fields, k) for k in key_fields(fields.doc_type))
    return (int(fields.doc_type is not None), valid)


def _better_upside_down(
    images: list[np.ndarray], fields: ExtractedFields, engine: OcrEngine, variant: str, hint: CertificateType | None
) -> tuple[list[np.ndarray], ExtractedFields]:
    """Read the pages turned by 180° and keep whichever reading validates more."""
    turned = [cv2.rotate(image, cv2.ROTATE_180) for image in images]
    flipped, _ = _ocr(turned, engine, variant, hint)
    if (_quality(flipped), flipped.confidence) > (_quality(fields), fields.confidence):
        return turned, flipped
    return images, fields


def _anything_read(fields: ExtractedFields) -> bool:
    return any((fields.license_number, fields.holder_name, fields.uscc))


def read_text(data: bytes, *, engine: OcrEngine | None = None) -> tuple[str, str, float]:
    """Return (text, engine name, confidence) of a document without field extraction."""
    kind = kind_of(data)
    if kind is FileKind.PDF:
        lines = pdf_text_lines(data)
        if _meaningful_chars(lines) >= MIN_TEXT_LAYER_CHARS:
            return "\n".join(line.text for line in lines), TEXT_LAYER_ENGINE, 1.0
        images = render_pdf(data)
    elif kind is None:
        raise DocumentError(DocumentErrorCode.UNSUPPORTED_TYPE, "not a PDF, JPEG or PNG file")
    else:
        images = [decode_image(data)]
    ocr = engine or default_engines()[0]
    results = [ocr.recognise(prepare(img, "plain")) for img in images]
    text = "\n".join(r.text for r in results)
    conf = min((r.confidence for r in results), default=0.0)
    return text, ocr.name, conf


def pdf_text_lines(data: bytes) -> list[TextLine]:
    """Return the text layer of a PDF as lines (confidence 1.0).

    Raises:
        DocumentError: CORRUPT or ENCRYPTED.
    """
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    pdf_page_count(data)  # raises ENCRYPTED / CORRUPT with pypdf's clearer diagnosis
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                texts = [page.extract_text(x_tolerance=1.5, y_tolerance=3) or "" for page in pdf.pages]
    except PdfminerException as exc:
        raise DocumentError(DocumentErrorCode.CORRUPT, f"the PDF cannot be parsed: {exc!r}") from exc
    return [TextLine(line, 1.0) for text in texts for line in text.splitlines() if line.strip()]


def render_pdf(
    data: bytes, *, max_pages: int = MAX_OCR_PAGES, dpi: int = RENDER_DPI, max_pixels: int = RENDER_MAX_PIXELS
) -> list[np.ndarray]:
    """Render the first pages of a PDF to BGR arrays with pypdfium2 (no network, no poppler).

    Pages render at ``dpi`` but never above ``max_pixels``: memory grows with a page's
    area, and a page that declares itself huge would otherwise take gigabytes (OCR
    scales pages down to ``preprocess.MAX_SIDE`` anyway, so the cap loses nothing).

    Raises:
        DocumentError: CORRUPT if the PDF cannot be rendered.
    """
    import pypdfium2 as pdfium

    pages = []
    try:
        with open_pdf(data) as pdf:
            for index in range(min(len(pdf), max_pages)):
                page = pdf[index]
                width, height = page.get_size()
                scale = min(dpi / 72, math.sqrt(max_pixels / max(width * height, 1.0)))
                bitmap = page.render(scale=scale)
                rgb = np.asarray(bitmap.to_pil().convert("RGB"))
                pages.append(np.ascontiguousarray(rgb[:, :, ::-1]))
    except pdfium.PdfiumError as exc:
        code = DocumentErrorCode.ENCRYPTED if "password" in str(exc).lower() else DocumentErrorCode.CORRUPT
        raise DocumentError(code, f"the PDF cannot be rendered: {exc}") from exc
    if not pages:
        raise DocumentError(DocumentErrorCode.CORRUPT, "the PDF has no pages")
    return pages


def _ocr(
    images: Sequence[np.ndarray], engine: OcrEngine, variant: str, hint: CertificateType | None
) -> tuple[ExtractedFields, list[TextLine]]:
    """Return one engine's reading of the pages under one preparation, and its lines."""
    lines: list[TextLine] = []
    for image in images:
        lines.extend(engine.recognise(prepare(image, variant)).lines)
    label = f"{engine.name}:{variant}" if variant != "plain" else engine.name
    fields = extract_fields(lines, engine=label, hint=hint)
    return replace(fields, engine=label), lines


def _meaningful_chars(lines: Sequence[TextLine]) -> int:
    return sum(len(re.findall(r"[\u4e00-\u9fff0-9A-Za-z]", line.text)) for line in lines)
