"""OCR accuracy over generated licences: every type × rendering, exact field matches.

Targets (from the product brief): 100% on text-layer PDFs; at least 98% per key field
(licence number, holder name, credit code, end of validity) over scans and photos
together. The set is small to stay within about three minutes on two cores; the full
benchmark is ``python -m bench.ocr_bench``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bench.ocr_bench import KEY_FIELDS, field_matches
from tests.docgen import generate_set
from verification.reading import read_document

pytestmark = pytest.mark.slow

SEED = 11
TEXT_DOCS = 12  # two of each type
SCAN_RENDERINGS = ("clean", "degraded", "photo", "scan_pdf")
SCAN_DOCS = 24  # each type once in each scan rendering
SCAN_TARGET = 0.98


def _misses(documents: list) -> tuple[Counter[str], list[str]]:  # type: ignore[type-arg]
    misses: Counter[str] = Counter()
    detail = []
    for doc in documents:
        fields = read_document(doc.data)
        matches = field_matches(doc.truth, fields)
        for name in KEY_FIELDS:
            if not matches[name]:
                misses[name] += 1
                detail.append(
                    f"{doc.filename}: {name} read {getattr(fields, name)!r} "
                    f"want {getattr(doc.truth, name)!r} ({fields.engine})"
                )
    return misses, detail


def test_text_layer_pdfs_are_read_exactly() -> None:
    documents = generate_set(TEXT_DOCS, SEED, renderings=("text_pdf",))
    misses, detail = _misses(documents)
    assert not misses, "\n".join(detail)


def test_scans_and_photos_meet_the_accuracy_target() -> None:
    documents = generate_set(SCAN_DOCS, SEED, renderings=SCAN_RENDERINGS)
    assert {d.rendering for d in documents} == set(SCAN_RENDERINGS)
    assert len({d.truth.doc_type for d in documents}) == 6
    misses, detail = _misses(documents)
    for name in KEY_FIELDS:
        rate = 1 - misses[name] / len(documents)
        assert rate >= SCAN_TARGET, f"{name}: {rate:.1%}\n" + "\n".join(detail)


def test_sideways_photo_is_turned_upright() -> None:
    import io

    from PIL import Image

    from tests.docgen import generate_document

    doc = generate_document(3, SEED, "production_license", "photo")
    buf = io.BytesIO()
    Image.open(io.BytesIO(doc.data)).rotate(90, expand=True).save(buf, "JPEG", quality=85)
    fields = read_document(buf.getvalue())
    matches = field_matches(doc.truth, fields)
    assert all(matches[name] for name in KEY_FIELDS), fields


def test_blank_page_is_unreadable() -> None:
    from tests.docgen import blank_page_png
    from verification.errors import DocumentError
    from verification.types import DocumentErrorCode

    with pytest.raises(DocumentError) as info:
        read_document(blank_page_png())
    assert info.value.code is DocumentErrorCode.UNREADABLE
