"""Seeded generator of Chinese medical-device qualification documents with known truth.

Used by unit tests and the OCR accuracy benchmark. Public API::

    Truth, DOC_TYPES, make_truth(doc_type, rng)
    render_text_pdf(truth, rng) -> bytes        # PDF with a text layer
    render_scan(truth, rng, quality) -> bytes   # "clean" PNG, "degraded"/"photo" JPEG
    image_pdf(image_bytes) -> bytes             # raster wrapped in a PDF, no text layer
    encrypted_pdf(), corrupt_pdf(), not_a_document(kind), blank_page_png()
    generate_set(n, seed, renderings) -> list[GeneratedDocument]

CLI: ``python -m tests.docgen OUT_DIR --n 60 --seed 1`` writes files and truth.json.
"""

from .fields import make_truth, make_uscc, org_code_check
from .generate import (
    DEFAULT_RENDERINGS,
    RENDERINGS,
    GeneratedDocument,
    generate_document,
    generate_set,
    render,
)
from .pdf import PASSWORD, corrupt_pdf, encrypted_pdf, image_pdf, not_a_document, render_text_pdf
from .raster import QUALITIES, blank_page_png, render_scan
from .truth import DOC_TYPES, TITLES, Truth

__all__ = [
    "DEFAULT_RENDERINGS",
    "DOC_TYPES",
    "PASSWORD",
    "QUALITIES",
    "RENDERINGS",
    "TITLES",
    "GeneratedDocument",
    "Truth",
    "blank_page_png",
    "corrupt_pdf",
    "encrypted_pdf",
    "generate_document",
    "generate_set",
    "image_pdf",
    "make_truth",
    "make_uscc",
    "not_a_document",
    "org_code_check",
    "render",
    "render_scan",
    "render_text_pdf",
]
