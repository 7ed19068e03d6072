"""Tamper signals: traces an edit leaves in the file itself.

Each signal is a named check that sends the document to a person; none blocks on its
own, because a genuine document can show one too (a scanner that appends an update,
a font the OCR reads oddly). They are measured with the forgery generator
(``bench/trust_bench.py``), not tuned to it.

- ``pdf_structure``: a PDF saved again after it was written (incremental updates)
  carries each revision; regulators' and scanners' PDFs are written once.
- ``text_layer_vs_image``: the text a PDF says it contains must be what its page
  shows. Editing tools cover a digit with a white box or an image patch and type a new
  one; the text layer then keeps the old digit, or both. Only the key fields' regions
  are rendered and read, so a text PDF stays fast.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence

import numpy as np

from verification.normalize import nfkc
from verification.ocr.base import OcrEngine
from verification.types import Check, CheckOutcome, ExtractedFields

PASS, FAIL = CheckOutcome.PASS, CheckOutcome.FAIL
# Fields whose digits an edit targets; their printed form is compared digit by digit.
KEY_FIELDS: tuple[str, ...] = ("license_number", "uscc", "valid_until", "valid_from")
# Below this OCR confidence a disagreement is the reader's doubt, not the page's.
MIN_CROP_CONFIDENCE = 0.85
CROP_SCALE = 4.0  # render crops at 288 dpi: small regions, sharp digits
_EOF_RE = re.compile(rb"%%EOF")


def pdf_structure(data: bytes) -> Check:
    """Name the incremental updates a PDF carries (a linearised file has two EOFs by design)."""
    eofs = len(_EOF_RE.findall(data))
    linearised = b"/Linearized" in data[:2048]
    updates = eofs - (2 if linearised else 1)
    if updates > 0:
        return Check(
            "pdf_structure",
            FAIL,
            f"the PDF was saved again after it was written: {updates} incremental update(s) "
            f"({eofs} end-of-file markers); an edit leaves exactly this trace",
        )
    return Check("pdf_structure", PASS, "written once (no incremental updates)")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", nfkc(text))


# (field, printed text, page index, bbox in points)
Region = tuple[str, str, int, tuple[float, float, float, float]]


def _field_regions(data: bytes, fields: ExtractedFields) -> list[Region]:
    """Return (field, printed text, page index, bbox in points) for each key field found."""
    import pdfplumber

    wanted = []
    for name in KEY_FIELDS:
        ev = fields.evidence.get(name)
        value = getattr(fields, name)
        if ev is None or value is None:
            continue
        wanted.append((name, ev.raw))
    found: list[Region] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for index, page in enumerate(pdf.pages[:3]):
                for name, raw in wanted:
                    # One region per field, and one per printed text (a validity range
                    # carries both dates).
                    if any(f[0] == name or f[1] == raw for f in found):
                        continue
                    hits = page.search(raw, regex=False)
                    if hits:
                        hit = hits[0]
                        found.append((name, raw, index, (hit["x0"], hit["top"], hit["x1"], hit["bottom"])))
    return found


def _render_region(data: bytes, page_index: int, bbox: tuple[float, float, float, float]) -> np.ndarray:
    """Render one region of a page (points, top-left origin) to a BGR array."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[page_index]
        width, height = page.get_size()
        x0, top, x1, bottom = bbox
        pad = 3.0
        crop = (
            max(x0 - pad, 0),
            max(height - bottom - pad, 0),
            max(width - x1 - pad, 0),
            max(top - pad, 0),
        )
        bitmap = page.render(scale=CROP_SCALE, crop=crop)
        rgb = np.asarray(bitmap.to_pil().convert("RGB"))
    finally:
        pdf.close()
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _read_line(engine: OcrEngine, image: np.ndarray) -> tuple[str, float]:
    """Read a one-line crop: recognition only where the engine offers it."""
    recognise_line = getattr(engine, "recognise_line", None)
    if recognise_line is not None:
        line = recognise_line(image)
        return line.text, line.confidence
    result = engine.recognise(image)
    return result.text, result.confidence


def text_layer_vs_image(data: bytes, fields: ExtractedFields, engine: OcrEngine) -> Check:
    """Compare each key field's text layer with what its rendered region shows."""
    regions = _field_regions(data, fields)
    if not regions:
        return Check("text_layer_vs_image", PASS, "no key field located in the text layer to compare")
    differences = []
    compared = []
    for name, raw, page_index, bbox in regions:
        shown, confidence = _read_line(engine, _render_region(data, page_index, bbox))
        compared.append(f"{name} {raw!r} shows {shown!r} ({engine.name} {confidence:.2f})")
        if confidence < MIN_CROP_CONFIDENCE or not _digits(raw):
            continue
        if _digits(shown) != _digits(raw):
            differences.append(f"{name}: the text layer says {raw!r}, the page shows {shown!r}")
    if differences:
        return Check("text_layer_vs_image", FAIL, "; ".join(differences))
    return Check("text_layer_vs_image", PASS, "the page shows what the text layer says: " + "; ".join(compared))


def pdf_signals(data: bytes, fields: ExtractedFields, engines: Sequence[OcrEngine]) -> tuple[Check, ...]:
    """Tamper signals of a PDF read through its text layer."""
    checks = [pdf_structure(data)]
    if engines:
        checks.append(text_layer_vs_image(data, fields, engines[0]))
    return tuple(checks)
