"""``generate_set``: a balanced, seeded set of documents with their truths."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .fields import make_truth
from .pdf import image_pdf, render_text_pdf
from .raster import render_scan
from .truth import DOC_TYPES, Truth

RENDERINGS: tuple[str, ...] = ("text_pdf", "clean", "degraded", "photo", "scan_pdf")
DEFAULT_RENDERINGS: tuple[str, ...] = ("text_pdf", "clean", "degraded", "photo")

_MIME_EXT = {
    "text_pdf": ("application/pdf", "pdf"),
    "scan_pdf": ("application/pdf", "pdf"),
    "clean": ("image/png", "png"),
    "degraded": ("image/jpeg", "jpg"),
    "photo": ("image/jpeg", "jpg"),
}


@dataclass(frozen=True)
class GeneratedDocument:
    """One rendered document and what it says."""

    truth: Truth
    rendering: str
    filename: str
    data: bytes
    mime: str


def render(truth: Truth, rendering: str, rng: random.Random) -> bytes:
    """Render ``truth`` in one of ``RENDERINGS``.

    ``scan_pdf`` is a degraded scan wrapped in an image-only PDF (no text layer).
    """
    if rendering == "text_pdf":
        return render_text_pdf(truth, rng)
    if rendering == "scan_pdf":
        return image_pdf(render_scan(truth, rng, "degraded"))
    if rendering in ("clean", "degraded", "photo"):
        return render_scan(truth, rng, rendering)  # type: ignore[arg-type]
    raise ValueError(f"unknown rendering {rendering!r}")


def generate_document(index: int, seed: int, doc_type: str, rendering: str) -> GeneratedDocument:
    """Generate document number ``index`` of a set; independent of the set's size."""
    # A string seed is hashed deterministically (unlike hash() of a tuple across runs),
    # and per-document rngs keep document i identical whatever n is.
    rng = random.Random(f"medcredit-docgen:{seed}:{index}")
    truth = make_truth(doc_type, rng)
    mime, ext = _MIME_EXT[rendering]
    data = render(truth, rendering, rng)
    filename = f"{index:03d}_{doc_type}_{rendering}.{ext}"
    return GeneratedDocument(truth, rendering, filename, data, mime)


def plan(n: int, renderings: tuple[str, ...] = DEFAULT_RENDERINGS) -> list[tuple[str, str]]:
    """Return (doc_type, rendering) for documents 0..n-1.

    Types cycle every document; renderings shift by one per cycle of six, so each
    type meets every rendering once per ``6 * len(renderings)`` documents.
    """
    out = []
    for i in range(n):
        block = i // len(DOC_TYPES)
        out.append((DOC_TYPES[i % len(DOC_TYPES)], renderings[(i + block) % len(renderings)]))
    return out


def generate_set(n: int, seed: int, renderings: tuple[str, ...] = DEFAULT_RENDERINGS) -> list[GeneratedDocument]:
    """Generate ``n`` documents covering all six types and the given renderings evenly."""
    unknown = set(renderings) - set(RENDERINGS)
    if unknown:
        raise ValueError(f"unknown renderings {sorted(unknown)}")
    return [generate_document(i, seed, t, r) for i, (t, r) in enumerate(plan(n, renderings))]
