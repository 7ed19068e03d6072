"""Tamper signals on PDFs edited as ordinary tools do (real rendering, real OCR)."""

from __future__ import annotations

import random

import pytest

from tests.docgen import make_truth, render_text_pdf
from tests.docgen.edit import cover_and_paste
from verification import read_document
from verification.types import CheckOutcome


def _one_digit_changed(number: str) -> str:
    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    i = digits[-2]
    return number[:i] + ("3" if number[i] != "3" else "8") + number[i + 1 :]


@pytest.fixture(scope="module")
def genuine() -> tuple[str, bytes]:
    truth = make_truth("operation_license", random.Random(5))
    return truth.license_number, render_text_pdf(truth, random.Random(5))


def signals(data: bytes) -> dict[str, tuple[CheckOutcome, str]]:
    return {c.name: (c.outcome, c.detail) for c in read_document(data).signals}


def test_a_genuine_text_pdf_shows_no_sign_of_editing(genuine) -> None:  # type: ignore[no-untyped-def]
    found = signals(genuine[1])
    assert found["pdf_structure"][0] is CheckOutcome.PASS
    assert found["text_layer_vs_image"][0] is CheckOutcome.PASS
    assert genuine[0] in found["text_layer_vs_image"][1]


@pytest.mark.parametrize("incremental", [True, False])
def test_a_painted_over_number_is_seen_in_the_rendered_page(genuine, incremental: bool) -> None:  # type: ignore[no-untyped-def]
    number, pdf = genuine
    forged = _one_digit_changed(number)
    edited = cover_and_paste(pdf, number, forged, incremental=incremental)
    found = signals(edited)
    outcome, detail = found["text_layer_vs_image"]
    assert outcome is CheckOutcome.FAIL
    assert f"the text layer says '{number}'" in detail
    expected_structure = CheckOutcome.FAIL if incremental else CheckOutcome.PASS
    assert found["pdf_structure"][0] is expected_structure


def test_text_pdfs_are_read_from_many_threads_at_once(genuine) -> None:  # type: ignore[no-untyped-def]
    # A worker reads documents in several threads; PDFium aborts the process when two
    # threads render at once unless every use goes through verification.pdfium.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        readings = list(pool.map(lambda _: read_document(genuine[1]), range(8)))
    assert {r.license_number for r in readings} == {genuine[0]}
    assert all(c.outcome is CheckOutcome.PASS for r in readings for c in r.signals)
