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
from verification.pdfium import open_pdf
from verification.types import Check, CheckOutcome, ExtractedFields

PASS, FAIL = CheckOutcome.PASS, CheckOutcome.FAIL
# Fields whose digits an edit targets; their printed form is compared digit by digit.
KEY_FIELDS: tuple[str, ...] = ("license_number", "uscc", "valid_until", "valid_from")
# Below this OCR confidence a disagreement is the reader's doubt, not the page's.
MIN_CROP_CONFIDENCE = 0.85
# Crops are rendered at 288 dpi (small regions, sharp digits); a disagreement is read
# again at another scale, because an OCR slip rarely survives a change of scale while
# a painted-over digit always does.
CROP_SCALES = (4.0, 6.0)
CROP_PADDING = 8.0  # points around the text layer's box: tight crops lose edge glyphs
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


# OCR look-alikes: a letter read for a digit is the reader's confusion, not an edit.
_LOOK_ALIKES = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "Z": "2", "S": "5", "G": "6", "B": "8"}
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", nfkc(text).translate(_LOOK_ALIKES))


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


def _contradicts(shown: str, raw: str) -> bool:
    """Whether a reading shows other digits than the text layer, in the same number of places.

    Recognisers drop one of a run of equal characters (CTC decoding reads 777 as 77),
    which changes the length; an edit that keeps the number's shape replaces digits
    and keeps it. Only a same-length difference is evidence.
    """
    read, printed = _digits(shown), _digits(raw)
    return bool(printed) and len(read) == len(printed) and read != printed


def _render_region(data: bytes, page_index: int, bbox: tuple[float, float, float, float], scale: float) -> np.ndarray:
    """Render one region of a page (points, top-left origin) to a BGR array."""
    with open_pdf(data) as pdf:
        page = pdf[page_index]
        width, height = page.get_size()
        x0, top, x1, bottom = bbox
        pad = CROP_PADDING
        crop = (
            max(x0 - pad, 0),
            max(height - bottom - pad, 0),
            max(width - x1 - pad, 0),
            max(top - pad, 0),
        )
        bitmap = page.render(scale=scale, crop=crop)
        rgb = np.asarray(bitmap.to_pil().convert("RGB"))
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
        readings = []
        for scale in CROP_SCALES:
            shown, confidence = _read_line(engine, _render_region(data, page_index, bbox, scale))
            readings.append((shown, confidence))
            if confidence < MIN_CROP_CONFIDENCE or not _contradicts(shown, raw):
                break  # agrees, or too unsure to say otherwise
        shown, confidence = readings[0]
        compared.append(f"{name} {raw!r} shows {shown!r} ({engine.name} {confidence:.2f})")
        confirmed = len(readings) == len(CROP_SCALES) and all(
            c >= MIN_CROP_CONFIDENCE and _digits(text) == _digits(shown) for text, c in readings
        )
        if confirmed:
            differences.append(f"{name}: the text layer says {raw!r}, the page shows {shown!r} (read twice)")
    if differences:
        return Check("text_layer_vs_image", FAIL, "; ".join(differences))
    return Check("text_layer_vs_image", PASS, "the page shows what the text layer says: " + "; ".join(compared))


def pdf_signals(data: bytes, fields: ExtractedFields, engines: Sequence[OcrEngine]) -> tuple[Check, ...]:
    """Tamper signals of a PDF read through its text layer."""
    checks = [pdf_structure(data)]
    if engines:
        checks.append(text_layer_vs_image(data, fields, engines[0]))
    return tuple(checks)
