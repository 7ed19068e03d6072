"""Tests for the forgery generator in ``tests/docgen/forge.py`` (no OCR: fast)."""

from __future__ import annotations

import dataclasses
import datetime
import io
import random

import cv2
import numpy as np
import pdfplumber
import pytest
from PIL import Image
from stdnum.cn.uscc import calc_check_digit

from tests.docgen import DOC_TYPES, Truth, make_truth, render_scan
from tests.docgen.fields import five_years_after
from tests.docgen.forge import (
    KINDS,
    RENDERINGS,
    Forgery,
    Genuine,
    applies,
    forge,
    forged_truth,
    methods_for,
    printed_substitutions,
    rule_violations,
)
from tests.docgen.layout import DATE_STYLES, format_date
from tests.docgen.paint import edit_geometry, plan_edits
from tests.docgen.raster import render_scan_mapped

LICENCE_KINDS = [k for k in KINDS if k not in ("blank", "unrelated", "someone_else")]


def _source(kind: str, seed: int, doc_type: str | None = None) -> Truth:
    """A genuine truth that ``kind`` applies to, drawn deterministically."""
    rng = random.Random(f"forge-test:{kind}:{seed}")
    for attempt in range(200):
        truth = make_truth(doc_type or DOC_TYPES[(seed + attempt) % len(DOC_TYPES)], rng)
        if applies(kind, truth):
            return truth
    raise AssertionError(f"no source for {kind}")


def _pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join((page.extract_text() or "") for page in pdf.pages).replace(" ", "").replace("\n", "")


def _dates_printed(day: datetime.date) -> list[str]:
    return [format_date(day, style) for style in DATE_STYLES]


def _changed(a: Truth, b: Truth) -> set[str]:
    return {f.name for f in dataclasses.fields(Truth) if getattr(a, f.name) != getattr(b, f.name)}


# --- forged truths: the intended field and nothing else, over many seeds --------------


@pytest.mark.parametrize("seed", range(40))
def test_number_digit_changes_one_digit_of_the_number(seed: int) -> None:
    genuine = _source("number_digit", seed)
    forged, _ = forged_truth("number_digit", genuine, random.Random(seed))
    assert forged is not None
    expected = {"license_number", "uscc"} if genuine.doc_type == "business_license" else {"license_number"}
    assert _changed(genuine, forged) == expected
    diffs = [(a, b) for a, b in zip(genuine.license_number, forged.license_number, strict=True) if a != b]
    assert len(diffs) == 1 and diffs[0][0].isdigit() and diffs[0][1].isdigit()


@pytest.mark.parametrize("seed", range(40))
def test_date_digit_moves_the_end_date_later_by_one_digit(seed: int) -> None:
    genuine = _source("date_digit", seed)
    forged, _ = forged_truth("date_digit", genuine, random.Random(seed))
    assert forged is not None and forged.valid_until and genuine.valid_until
    assert _changed(genuine, forged) == {"valid_until"}
    assert forged.valid_until > genuine.valid_until
    old, new = genuine.valid_until.isoformat(), forged.valid_until.isoformat()
    assert sum(a != b for a, b in zip(old, new, strict=True)) == 1


@pytest.mark.parametrize("seed", range(20))
def test_check_char_changes_only_the_18th_character_and_breaks_the_checksum(seed: int) -> None:
    genuine = _source("check_char", seed)
    forged, _ = forged_truth("check_char", genuine, random.Random(seed))
    assert forged is not None
    assert _changed(genuine, forged) == {"license_number", "uscc"}
    assert forged.license_number == forged.uscc
    assert forged.license_number[:17] == genuine.license_number[:17]
    assert forged.license_number[17] != genuine.license_number[17]
    assert calc_check_digit(forged.license_number[:17]) != forged.license_number[17]
    assert any("check character" in v for v in rule_violations(forged))


@pytest.mark.parametrize("seed", range(20))
def test_dates_shifted_moves_both_dates_three_years(seed: int) -> None:
    genuine = _source("dates_shifted", seed)
    forged, _ = forged_truth("dates_shifted", genuine, random.Random(seed))
    assert forged is not None and forged.valid_from and forged.valid_until
    assert genuine.valid_from and genuine.valid_until
    assert _changed(genuine, forged) == {"valid_from", "valid_until"}
    assert forged.valid_from.year == genuine.valid_from.year + 3
    assert forged.valid_until.year == genuine.valid_until.year + 3
    assert rule_violations(forged) == []  # consistent: only a registry can tell


@pytest.mark.parametrize("seed", range(20))
def test_term_extended_exceeds_five_years(seed: int) -> None:
    genuine = _source("term_extended", seed)
    forged, _ = forged_truth("term_extended", genuine, random.Random(seed))
    assert forged is not None and forged.valid_from and forged.valid_until
    assert _changed(genuine, forged) == {"valid_until"}
    assert forged.valid_until > five_years_after(forged.valid_from)
    assert any("longer than 5 years" in v for v in rule_violations(forged))
    assert rule_violations(genuine) == []


@pytest.mark.parametrize("seed", range(20))
def test_filing_upgraded_keeps_the_serial_and_adds_class_iii(seed: int) -> None:
    genuine = _source("filing_upgraded", seed)
    forged, _ = forged_truth("filing_upgraded", genuine, random.Random(seed))
    assert forged is not None and forged.valid_from
    assert _changed(genuine, forged) == {"doc_type", "license_number", "valid_until", "device_classes"}
    assert forged.doc_type == "operation_license"
    assert forged.license_number == genuine.license_number.replace("备", "许")
    assert "备" in genuine.license_number and "许" in forged.license_number
    assert "III" in forged.device_classes
    assert forged.valid_until == five_years_after(forged.valid_from)
    assert forged.scope_categories == genuine.scope_categories


@pytest.mark.parametrize("seed", range(40))
def test_holder_off_by_one_changes_one_character(seed: int) -> None:
    genuine = _source("holder_off_by_one", seed)
    forged, _ = forged_truth("holder_off_by_one", genuine, random.Random(seed))
    assert forged is not None and forged.holder_name and genuine.holder_name
    assert _changed(genuine, forged) == {"holder_name"}
    assert len(forged.holder_name) == len(genuine.holder_name)
    assert sum(a != b for a, b in zip(genuine.holder_name, forged.holder_name, strict=True)) == 1


def test_kinds_refuse_documents_they_do_not_apply_to() -> None:
    filing = _source("filing_upgraded", 0)
    with pytest.raises(ValueError):
        forged_truth("check_char", filing, random.Random(0))
    with pytest.raises(ValueError):
        forged_truth("term_extended", filing, random.Random(0))
    with pytest.raises(ValueError):
        forged_truth("someone_else", filing, random.Random(0), other=filing)
    with pytest.raises(ValueError):
        forge("number_digit", Genuine(filing, "text_pdf", "x"), random.Random(0), method="painted_after")


def test_genuine_documents_break_no_rule() -> None:
    rng = random.Random(5)
    for i in range(300):
        truth = make_truth(DOC_TYPES[i % len(DOC_TYPES)], rng)
        assert rule_violations(truth) == [], truth


# --- rendered forgeries ------------------------------------------------------------


def _forge(kind: str, rendering: str, method: str | None, seed: int = 1, doc_type: str | None = None) -> Forgery:
    genuine = Genuine(_source(kind, seed, doc_type), rendering, f"genuine:{seed}")
    other = None
    if kind == "someone_else":
        other_truth = make_truth(genuine.truth.doc_type, random.Random(f"other:{seed}"))
        other = Genuine(other_truth, rendering, f"other:{seed}")
    return forge(kind, genuine, random.Random(seed), method=method, other=other)


@pytest.mark.parametrize("kind", ["number_digit", "date_digit", "check_char", "holder_off_by_one", "dates_shifted"])
def test_regenerated_text_pdf_reads_back_with_the_forged_value(kind: str) -> None:
    forgery = _forge(kind, "text_pdf", "regenerated")
    assert forgery.forged is not None
    genuine_text = _pdf_text(Genuine(forgery.genuine, "text_pdf", "genuine:1").render())
    forged_text = _pdf_text(forgery.data)
    for old, new in printed_substitutions(forgery.genuine, forgery.forged):
        if old in genuine_text:  # dates are offered in every style; one is printed
            assert new in forged_text and old not in forged_text.replace(new, "")
    # Everything else reads the same: remove the changed values and compare.
    strip_g, strip_f = genuine_text, forged_text
    for old, new in printed_substitutions(forgery.genuine, forgery.forged):
        strip_g, strip_f = strip_g.replace(old, "#"), strip_f.replace(new, "#")
    assert strip_g == strip_f


def test_filing_upgraded_text_pdf_reads_as_an_operation_licence() -> None:
    forgery = _forge("filing_upgraded", "text_pdf", None)
    text = _pdf_text(forgery.data)
    assert forgery.forged is not None
    assert "医疗器械经营许可证" in text and "备案凭证" not in text
    assert forgery.forged.license_number in text and forgery.genuine.license_number not in text
    assert "第三类" in text or "Ⅲ类" in text or "三类" in text
    assert forgery.forged.holder_name and forgery.forged.holder_name in text
    assert "history" in forgery.traces


def test_someone_else_is_the_other_companys_genuine_upload() -> None:
    forgery = _forge("someone_else", "text_pdf", None)
    assert forgery.forged is not None and forgery.forged.holder_name and forgery.genuine.holder_name
    text = _pdf_text(forgery.data)
    assert forgery.forged.holder_name in text
    assert forgery.genuine.holder_name not in text
    assert forgery.traces >= {"customer", "history"} and "registry" not in forgery.traces


def test_blank_and_unrelated_pages() -> None:
    blank = _forge("blank", "text_pdf", None)
    assert blank.forged is None and _pdf_text(blank.data) == ""
    unrelated = _forge("unrelated", "text_pdf", None)
    text = _pdf_text(unrelated.data)
    assert len(text) > 60
    assert not any(title in text for title in ("许可证", "备案凭证", "注册证", "营业执照"))
    assert unrelated.traces == frozenset({"content"})
    for rendering in ("clean", "degraded"):
        image = Image.open(io.BytesIO(_forge("blank", rendering, None).data))
        assert np.asarray(image.convert("L")).min() > 100  # nothing printed
    assert Image.open(io.BytesIO(_forge("unrelated", "photo", None).data)).format == "JPEG"


def _mapped_boxes(forgery: Forgery, seed: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """The genuine image and each edited field's quadrilateral in it."""
    assert forgery.forged is not None
    quality = forgery.rendering
    data, geometry = render_scan_mapped(forgery.genuine, random.Random(seed), quality)  # type: ignore[arg-type]
    edits = plan_edits(geometry.page, printed_substitutions(forgery.genuine, forgery.forged), whole_field=True)
    quads = []
    for edit in edits:
        box, _, _ = edit_geometry(edit, geometry.page, geometry.scale)
        corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]], np.float64)
        quads.append(cv2.perspectiveTransform(corners[None], geometry.matrix)[0])
    genuine = np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.int16)
    return genuine, quads


@pytest.mark.parametrize(
    ("kind", "rendering", "method", "doc_type"),
    [
        ("number_digit", "clean", "painted_after", "operation_license"),
        ("check_char", "clean", "painted_after", "business_license"),
        ("date_digit", "degraded", "painted_before", "production_license"),
        ("holder_off_by_one", "degraded", "painted_after", "class2_filing"),
        ("number_digit", "photo", "painted_after", "registration_certificate"),
    ],
)
def test_painted_forgery_differs_only_around_the_field(kind: str, rendering: str, method: str, doc_type: str) -> None:
    forgery = _forge(kind, rendering, method, doc_type=doc_type)
    assert "document" in forgery.traces
    genuine, quads = _mapped_boxes(forgery, "genuine:1")
    forged = np.asarray(Image.open(io.BytesIO(forgery.data)).convert("L"), dtype=np.int16)
    assert forged.shape == genuine.shape
    changed = np.abs(forged - genuine) > 60
    assert changed.sum() > 20, "the edit left no visible change"
    allowed = np.zeros(genuine.shape, np.uint8)
    for quad in quads:
        cv2.fillPoly(allowed, [np.round(quad).astype(np.int32)], 1)
    # Blur, JPEG blocks and re-encoding spread an edit by a few pixels, no further.
    near = cv2.dilate(allowed, np.ones((25, 25), np.uint8))
    outside = changed & (near == 0)
    assert outside.sum() <= 0.001 * changed.size, f"{outside.sum()} pixels changed away from the field"


@pytest.mark.parametrize("kind", KINDS)
def test_forgeries_are_deterministic_per_seed(kind: str) -> None:
    rendering = "text_pdf" if kind not in ("blank", "unrelated") else "clean"
    first = _forge(kind, rendering, None, seed=3)
    again = _forge(kind, rendering, None, seed=3)
    assert first.data == again.data and first.forged == again.forged and first.note == again.note
    if kind != "blank":
        assert _forge(kind, rendering, None, seed=4).data != first.data


def test_painted_forgery_is_deterministic() -> None:
    first = _forge("date_digit", "clean", "painted_after", seed=2)
    assert first.data == _forge("date_digit", "clean", "painted_after", seed=2).data


def test_every_kind_has_a_method_in_every_rendering() -> None:
    for kind in KINDS:
        for rendering in RENDERINGS:
            assert methods_for(kind, rendering)
    assert methods_for("number_digit", "photo") == ("regenerated", "painted_before", "painted_after")
    assert methods_for("filing_upgraded", "photo") == ("regenerated",)


def test_mapped_render_and_noop_edit_keep_the_genuine_bytes() -> None:
    truth = make_truth("operation_license", random.Random(9))
    plain = render_scan(truth, random.Random("r"), "degraded")
    mapped, _ = render_scan_mapped(truth, random.Random("r"), "degraded")
    edited, _ = render_scan_mapped(truth, random.Random("r"), "degraded", edit=lambda img, page, scale: img)
    assert plain == mapped == edited


def test_trust_bench_makes_one_forgery_in_force_per_kind_and_method() -> None:
    from bench.trust_bench import TODAY, forgery_cases, in_force

    cases = list(forgery_cases(1, 1, KINDS, ["text_pdf"], TODAY))
    assert [c.label for c in cases] == list(KINDS)
    for case in cases:
        assert case.traces, case.label
        if case.forged is not None:
            assert in_force(case.forged, TODAY), case.label
    # Only a registry can tell consistently shifted dates from a renewal.
    assert next(c for c in cases if c.label == "dates_shifted").traces == frozenset({"registry"})
