"""read_document / read_images with fake OCR engines: fallback and per-field fusion."""

from __future__ import annotations

import io
import random
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from PIL import Image

from tests.docgen import make_truth, render_text_pdf
from verification.errors import DocumentError, OcrUnavailableError
from verification.ocr.base import OcrResult, join_boxes
from verification.reading import read_document, read_images
from verification.tamper import KEY_FIELDS
from verification.types import CertificateType, DocumentErrorCode, TextLine

USCC = "91320105MA1XYW8Q5R"
NAME = "南京康泰医疗器械有限公司"
PAGE = np.full((400, 300, 3), 255, dtype=np.uint8)


def licence(name: str = NAME, uscc: str = USCC, until: str = "2027年05月19日") -> str:
    return (
        f"医疗器械经营许可证\n许可证编号：苏宁药监械经营许20220089号\n企业名称：{name}\n"
        f"统一社会信用代码：{uscc}\n有效期至：{until}\n发证日期：2022年05月20日"
    )


class FakeEngine:
    """An OCR engine that returns canned text and counts its calls."""

    def __init__(self, name: str, text: str, confidence: float = 0.9) -> None:
        self.name = name
        self.text = text
        self.confidence = confidence
        self.calls = 0

    def recognise(self, image: np.ndarray) -> OcrResult:
        self.calls += 1
        lines = tuple(TextLine(t, self.confidence) for t in self.text.splitlines())
        return OcrResult(lines=lines, engine=self.name)


class MissingEngine:
    name = "missing"

    def recognise(self, image: np.ndarray) -> OcrResult:
        raise OcrUnavailableError("not installed")


def test_primary_reading_that_validates_is_final() -> None:
    primary, secondary = FakeEngine("a", licence()), FakeEngine("b", licence())
    fields = read_images([PAGE], engines=[primary, secondary])
    assert (primary.calls, secondary.calls) == (1, 0)
    assert fields.uscc == USCC and fields.valid_until == date(2027, 5, 19)
    assert fields.engine == "a:nored"


def test_failed_field_is_taken_from_the_engine_that_validates() -> None:
    # The primary misreads the credit code beyond repair; the secondary garbles the name.
    primary = FakeEngine("a", licence(uscc="9X320105MA1XYW8Q5R"))
    secondary = FakeEngine("b", licence(name="南京康泰医疗器械有限公a*"))
    fields = read_images([PAGE], engines=[primary, secondary])
    assert secondary.calls == 1
    assert fields.uscc == USCC and fields.evidence["uscc"].engine == "b:nored"
    assert fields.holder_name == NAME and fields.evidence["holder_name"].engine == "a:nored"
    assert fields.engine == "a:nored+a+b:nored"
    assert primary.calls == 2


def test_disagreeing_valid_readings_lower_confidence() -> None:
    other = "91320105190748334N"
    primary = FakeEngine("a", licence(until="见副本"))  # end date unreadable
    secondary = FakeEngine("b", licence(uscc=other))
    fields = read_images([PAGE], engines=[primary, secondary])
    assert fields.uscc == USCC  # tie: the primary engine wins
    assert any("uscc" in note for note in fields.notes)
    assert fields.confidence < 0.9 * 0.7 + 1e-9


def test_missing_secondary_engine_is_skipped() -> None:
    primary = FakeEngine("a", licence(uscc="9X320105MA1XYW8Q5R"))
    fields = read_images([PAGE], engines=[primary, MissingEngine()])
    assert fields.holder_name == NAME and fields.uscc == "9X320105MA1XYW8Q5R"


def test_no_engine_available() -> None:
    with pytest.raises(OcrUnavailableError):
        read_images([PAGE], engines=[MissingEngine()])


def test_nothing_readable() -> None:
    with pytest.raises(DocumentError) as info:
        read_images([PAGE], engines=[FakeEngine("a", "")])
    assert info.value.code is DocumentErrorCode.UNREADABLE


def test_read_document_decodes_png_and_uses_hint() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(buf, "PNG")
    engine = FakeEngine("a", f"名称：{NAME}\n统一社会信用代码：{USCC}")
    fields = read_document(buf.getvalue(), engines=[engine], hint=CertificateType.BUSINESS_LICENSE)
    assert fields.doc_type is CertificateType.BUSINESS_LICENSE
    assert fields.license_number == USCC


def test_join_boxes_orders_lines_and_columns() -> None:
    lines = join_boxes(
        [
            (100, 130, 400, "经营方式：批发", 0.8),
            (10, 40, 50, "医疗器械经营许可证", 0.9),
            (102, 128, 50, "法定代表人：张三", 1.0),
        ]
    )
    assert [line.text for line in lines] == [
        "医疗器械经营许可证",
        "法定代表人：张三  经营方式：批发",
    ]


def test_day_hidden_by_seal_is_inferred_from_five_year_term() -> None:
    fields = read_images([PAGE], engines=[FakeEngine("a", licence(until="2027年05月"))])
    assert fields.valid_until == date(2027, 5, 19)
    assert fields.evidence["valid_until"].confidence == pytest.approx(0.45)


def _text_like_page() -> np.ndarray:
    page = np.full((1400, 1000, 3), 255, dtype=np.uint8)
    for row in range(12):
        y = 100 + row * 90
        for col in range(30):  # a line of "characters": small dark squares
            x = 80 + col * 28
            page[y : y + 22, x : x + 20] = 0
    return page


def test_sideways_page_is_detected() -> None:
    import cv2

    from verification.ocr.preprocess import is_sideways

    page = _text_like_page()
    assert not is_sideways(page)
    assert is_sideways(cv2.rotate(page, cv2.ROTATE_90_CLOCKWISE))
    assert not is_sideways(PAGE)


def test_text_layer_of_a_reissued_licence_is_trusted_without_ocr() -> None:
    # A licence changed mid-term is reissued with a new issue date and its old end
    # date, so its dates are not five years apart. The text layer has no digit
    # misreadings for the five-year hint to catch: OCR must not be asked, nor outvote it.
    truth = replace(
        make_truth("operation_license", random.Random(71)),
        valid_from=date(2025, 10, 19),
        valid_until=date(2030, 9, 23),
    )
    ocr = FakeEngine("ocr", licence(until="2030年9月28日"))
    fields = read_document(render_text_pdf(truth, random.Random(7)), engines=[ocr])
    # The engine sees only the tamper check's crops of the key fields (verification.tamper),
    # never the page: the reading is the text layer's alone.
    assert ocr.calls <= 2 * len(KEY_FIELDS)
    assert (fields.engine, fields.confidence, fields.notes) == ("text-layer", 1.0, ())
    assert (fields.valid_from, fields.valid_until) == (truth.valid_from, truth.valid_until)
    assert fields.license_number == truth.license_number
