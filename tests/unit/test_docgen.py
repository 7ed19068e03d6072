"""Tests for the seeded test-document generator in ``tests/docgen``."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import random
import re

import pdfplumber
import pytest
from PIL import Image
from pypdf import PdfReader
from stdnum.cn import uscc as stdnum_uscc

from tests.docgen import (
    DOC_TYPES,
    Truth,
    blank_page_png,
    corrupt_pdf,
    encrypted_pdf,
    generate_set,
    image_pdf,
    make_truth,
    not_a_document,
    org_code_check,
    render_scan,
    render_text_pdf,
)
from tests.docgen.__main__ import main as cli_main
from tests.docgen.generate import plan

LICENCE_SHAPES = {
    "operation_license": r"^[\u4e00-\u9fff]{2}(食)?药监械经营许\d{8}号$",
    "class2_filing": r"^[\u4e00-\u9fff]{2}(食)?药监械经营备\d{8}号$",
    "production_license": r"^[\u4e00-\u9fff](食)?药监械生产许\d{8}号$",
    "registration_certificate": r"^(国械注[准进]|[\u4e00-\u9fff]械注准)\d{4}[23]\d{2}\d{4}$",
    "medical_institution_license": r"^[0-9A-Z]{22}$",
}


def _truths(count: int = 600, seed: int = 7) -> list[Truth]:
    rng = random.Random(seed)
    return [make_truth(DOC_TYPES[i % len(DOC_TYPES)], rng) for i in range(count)]


def test_truth_has_exactly_the_agreed_fields() -> None:
    names = [f.name for f in dataclasses.fields(Truth)]
    assert names == [
        "doc_type",
        "license_number",
        "holder_name",
        "uscc",
        "valid_from",
        "valid_until",
        "issuing_authority",
        "scope_categories",
        "device_classes",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        _truths(1)[0].doc_type = "x"  # type: ignore[misc]


def test_every_generated_credit_code_is_valid() -> None:
    codes = [t.uscc for t in _truths() if t.uscc]
    assert len(codes) > 300
    for code in codes:
        assert stdnum_uscc.is_valid(code), code
        # The organisation code inside (chars 9-17) carries its own GB 11714 check.
        assert org_code_check(code[8:16]) == code[16], code


def test_org_code_check_known_value() -> None:
    # Worked example from GB 11714: D2143569 -> X.
    assert org_code_check("D2143569") == "X"


def test_truth_fields_are_consistent() -> None:
    for t in _truths():
        assert t.doc_type in DOC_TYPES
        assert t.holder_name
        if t.doc_type == "business_license":
            assert t.license_number == t.uscc
        else:
            assert re.match(LICENCE_SHAPES[t.doc_type], t.license_number), t.license_number
        if t.doc_type == "class2_filing":
            assert t.valid_until is None
        if t.valid_until is not None:
            assert t.valid_from is not None and t.valid_from < t.valid_until
        assert set(t.device_classes) <= {"I", "II", "III"}
        assert all(re.fullmatch(r"\d{2}|6840", c) for c in t.scope_categories)
        assert Truth.from_json_dict(json.loads(json.dumps(t.to_json_dict()))) == t


def test_to_json_dict_uses_iso_dates() -> None:
    t = Truth(
        "class2_filing",
        "苏宁药监械经营备20220089号",
        "江苏康联医疗器械有限公司",
        "91320106MA1ABCDE1X",
        datetime.date(2022, 5, 20),
        None,
        "南京市市场监督管理局",
        ("06", "6840"),
        ("II",),
    )
    d = t.to_json_dict()
    assert d["valid_from"] == "2022-05-20" and d["valid_until"] is None
    assert d["scope_categories"] == ["06", "6840"]


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_text_pdf_round_trips_through_pdfplumber(doc_type: str) -> None:
    rng = random.Random(f"pdf-{doc_type}")
    truth = make_truth(doc_type, rng)
    data = render_text_pdf(truth, rng)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = pdf.pages[0].extract_text()
    flat = re.sub(r"\s+", "", text)
    assert truth.license_number in flat
    assert truth.holder_name and truth.holder_name in flat
    for code in truth.scope_categories:
        assert code in flat


@pytest.mark.parametrize("quality,fmt", [("clean", "PNG"), ("degraded", "JPEG"), ("photo", "JPEG")])
def test_scans_decode(quality: str, fmt: str) -> None:
    rng = random.Random(quality)
    truth = make_truth("operation_license", rng)
    data = render_scan(truth, rng, quality)  # type: ignore[arg-type]
    img = Image.open(io.BytesIO(data))
    img.load()
    assert img.format == fmt
    assert img.width >= 1300 and img.height >= 1800


def test_image_pdf_has_no_text_layer() -> None:
    rng = random.Random(3)
    png = render_scan(make_truth("business_license", rng), rng, "clean")
    data = image_pdf(png)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text().strip() == ""
    assert len(reader.pages[0].images) == 1


def test_bad_inputs() -> None:
    assert PdfReader(io.BytesIO(encrypted_pdf())).is_encrypted
    bad = corrupt_pdf()
    assert bad.startswith(b"%PDF")
    with pytest.raises(Exception):  # noqa: B017 - any parse failure will do
        PdfReader(io.BytesIO(bad), strict=True).pages[0].extract_text()
    assert not not_a_document().startswith(b"%PDF")
    assert not_a_document("text").decode("utf-8")
    blank = Image.open(io.BytesIO(blank_page_png()))
    assert blank.getextrema() == (255, 255)


def test_plan_covers_types_and_renderings_evenly() -> None:
    combos = plan(24)
    assert len(set(combos)) == 24  # every (type, rendering) pair exactly once


def test_generation_is_deterministic() -> None:
    first = generate_set(4, seed=11)
    second = generate_set(4, seed=11)
    assert [d.truth for d in first] == [d.truth for d in second]
    assert [d.data for d in first] == [d.data for d in second]
    assert [d.filename for d in first] == [d.filename for d in second]
    other = generate_set(4, seed=12)
    assert [d.truth for d in other] != [d.truth for d in first]
    # Document i does not depend on how many documents were asked for.
    assert generate_set(2, seed=11)[1].data == first[1].data


def test_cli_writes_files_and_truth(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert cli_main([str(tmp_path), "--n", "2", "--seed", "1", "--renderings", "text_pdf"]) == 0
    manifest = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert len(manifest["documents"]) == 2
    for entry in manifest["documents"]:
        assert (tmp_path / entry["filename"]).stat().st_size > 0
        assert Truth.from_json_dict(entry["truth"]).doc_type in DOC_TYPES
