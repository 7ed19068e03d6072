"""Validators: credit-code checksum, number shapes per type, dates; name normalisation."""

from __future__ import annotations

from datetime import date

import pytest

from verification.normalize import clean_ocr_line, names_match, normalize_name
from verification.types import CertificateType as CT
from verification.uscc import is_valid_uscc, uscc_check_character
from verification.validators import dates_ok, number_shape_ok, term_consistent, uscc_ok

USCC = "91320105MA1XYW8Q5R"


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        (USCC, True),
        ("91350100M000100Y43", True),  # a published example code
        (USCC[:-1] + "0", False),
        ("91320105MA1XYW8Q5", False),
        ("", False),
        (None, False),
    ],
)
def test_uscc_ok(code: str | None, ok: bool) -> None:
    assert uscc_ok(code) is ok


def test_check_character_matches_validator() -> None:
    assert USCC[-1] == uscc_check_character(USCC[:17])
    assert is_valid_uscc(USCC.lower())


@pytest.mark.parametrize(
    ("doc_type", "number", "ok"),
    [
        (CT.OPERATION_LICENSE, "苏宁药监械经营许20220089号", True),
        (CT.OPERATION_LICENSE, "苏宁食药监械经营许20150089号", True),
        (CT.OPERATION_LICENSE, "沪浦药监械经营许20210537号", True),
        (CT.OPERATION_LICENSE, "苏宁药监械经营备20220089号", False),
        (CT.OPERATION_LICENSE, "苏宁药监械经营许2022089号", False),
        (CT.CLASS2_FILING, "苏宁药监械经营备20220089号", True),
        (CT.CLASS2_FILING, "京食药监械经营备20160001号", True),
        (CT.PRODUCTION_LICENSE, "苏药监械生产许20220012号", True),
        (CT.PRODUCTION_LICENSE, "苏食药监械生产许20170012号", True),
        (CT.PRODUCTION_LICENSE, "苏药监械经营许20220012号", False),
        (CT.REGISTRATION_CERTIFICATE, "国械注准20213060123", True),
        (CT.REGISTRATION_CERTIFICATE, "国械注进20193220001", True),
        (CT.REGISTRATION_CERTIFICATE, "苏械注准20212220001", True),
        (CT.REGISTRATION_CERTIFICATE, "国食药监械(准)字2012第3400001号", True),
        (CT.REGISTRATION_CERTIFICATE, "国械注准2021306012", False),
        (CT.MEDICAL_INSTITUTION_LICENSE, "MAH4BXKF1320104121A1001", True),
        (CT.MEDICAL_INSTITUTION_LICENSE, "ABC123", False),
        (CT.BUSINESS_LICENSE, USCC, True),
        (CT.BUSINESS_LICENSE, "320105000123456", True),
        (CT.BUSINESS_LICENSE, USCC[:-1] + "0", False),
        (None, "苏宁药监械经营许20220089号", False),
        (CT.OPERATION_LICENSE, None, False),
    ],
)
def test_number_shape(doc_type: CT | None, number: str | None, ok: bool) -> None:
    assert number_shape_ok(doc_type, number) is ok


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "ok"),
    [
        (date(2022, 5, 20), date(2027, 5, 19), True),
        (date(2027, 5, 20), date(2022, 5, 19), False),
        (None, date(2027, 5, 19), True),
        (date(2022, 5, 20), None, True),
        (date(1920, 1, 1), None, False),
        (None, date(2150, 1, 1), False),
    ],
)
def test_dates_ok(valid_from: date | None, valid_until: date | None, ok: bool) -> None:
    assert dates_ok(valid_from, valid_until) is ok


@pytest.mark.parametrize(
    ("doc_type", "start", "end", "expected"),
    [
        (CT.OPERATION_LICENSE, date(2022, 5, 20), date(2027, 5, 19), True),
        (CT.OPERATION_LICENSE, date(2022, 5, 20), date(2027, 5, 18), False),
        (CT.PRODUCTION_LICENSE, date(2020, 2, 29), date(2025, 2, 27), True),
        (CT.BUSINESS_LICENSE, date(2022, 5, 20), date(2027, 5, 18), None),
        (CT.OPERATION_LICENSE, None, date(2027, 5, 18), None),
    ],
)
def test_term_consistent(doc_type: CT, start: date | None, end: date, expected: bool | None) -> None:
    assert term_consistent(doc_type, start, end) is expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("国药控股（南京）医疗器械有限公司", "国药控股(南京)医疗器械有限公司", True),
        ("南京康泰 医疗器械有限公司", "南京康泰医疗器械有限公司", True),
        ("ＡＢＣ医疗有限公司", "abc医疗有限公司", True),
        ("南京康泰医疗器械有限公司", "南京康泰医疗科技有限公司", False),
    ],
)
def test_names_match(a: str, b: str, same: bool) -> None:
    assert names_match(a, b) is same


def test_normalize_name_and_clean_line() -> None:
    assert normalize_name("【南京】康泰　公司") == "(南京)康泰公司"
    assert clean_ocr_line("企 业 名 称 ： 南 京 康 泰") == "企业名称:南京康泰"
    assert clean_ocr_line("Siemens  Healthineers AG") == "Siemens Healthineers AG"
