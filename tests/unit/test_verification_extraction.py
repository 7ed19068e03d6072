"""Field extraction from text snippets: all six types, label and date variants, OCR noise."""

from __future__ import annotations

from datetime import date

import pytest

from verification.extraction import canonical_name, detect_type, extract_fields
from verification.extraction.codes import find_regulator_number, find_uscc, repair_uscc
from verification.extraction.dates import parse_date, parse_validity
from verification.extraction.scope import device_classes, scope_categories
from verification.types import CertificateType, DeviceClass, TextLine
from verification.uscc import is_valid_uscc

CT = CertificateType
USCC = "91320105MA1XYW8Q5R"
HOSPITAL_USCC = "12320104MAH4BXKF10"


def lines(text: str, confidence: float = 1.0) -> list[TextLine]:
    return [TextLine(line, confidence) for line in text.strip().splitlines()]


def read(text: str, **kw: object) -> object:
    return extract_fields(lines(text), engine="test", **kw)  # type: ignore[arg-type]


OPERATION = f"""
医疗器械经营许可证
（副本）
许可证编号：苏宁药监械经营许20220089号
企业名称：南京康泰（集团）医疗器械有限公司
统一社会信用代码：{USCC}
法定代表人：张三  企业负责人：李四
住所：江苏省南京市玄武区中山路16号12楼
经营方式：批发
经营范围：第三类医疗器械：06 医用成像器械，07 医用诊察和监护器械；
第二类医疗器械：6840 体外诊断试剂
有效期限：自2022年05月20日至2027年05月19日
发证部门：南京市市场监督管理局
发证日期：2022年05月20日
"""

FILING = f"""
第二类医疗器械经营备案凭证
备案编号 苏宁食药监械经营备20160123号
名称 南京康泰医疗器械有限公司
社会信用代码 {USCC}
经营范围 Ⅱ类：07-医用诊察和监护器械、22-临床检验器械
备案部门：南京市食品药品监督管理局
备案日期：2016-03-01
"""

PRODUCTION = f"""
医疗器械生产许可证
许可证编号：苏食药监械生产许20170012号
企业名称：江苏康联医疗科技有限公司
统一社会信用代码：{USCC}
生产范围：Ⅲ类：06-医用成像器械；Ⅱ类：07-医用诊察和监护器械
有效期至：2022年3月4日
发证机关：江苏省食品药品监督管理局
发证日期：2017年3月5日
"""

REGISTRATION = """
中华人民共和国医疗器械注册证
注册证编号：国械注准20213060123
注册人名称：深圳迈瑞生物医疗电子股份有限公司
产品名称：彩色多普勒超声诊断系统
型号、规格：M10、M20
有效期至：2026年08月09日
审批部门：国家药品监督管理局
批准日期：2021年08月10日
"""

HOSPITAL = f"""
医疗机构执业许可证
机构名称：南京市第一人民医院
地址：江苏省南京市秦淮区长乐路68号
诊疗科目：内科；外科；医学影像科
登记号：MAH4BXKF1320104121A1001
统一社会信用代码：{HOSPITAL_USCC}
有效期限：2020年1月1日至2024年12月31日
发证机关：南京市卫生健康委员会
发证日期：2020年1月1日
"""

BUSINESS = f"""
营业执照
统一社会信用代码 {USCC}
名　　称 南京康泰医疗器械有限公司
类　　型 有限责任公司（自然人投资或控股）
成立日期 2015年03月01日
营业期限 2015年03月01日至长期
经营范围 许可项目：第三类医疗器械经营。一般项目：第二类医疗器械销售。
登记机关 南京市玄武区市场监督管理局
"""


@pytest.mark.parametrize(
    ("text", "doc_type", "number", "holder", "uscc", "valid_from", "valid_until"),
    [
        (
            OPERATION,
            CT.OPERATION_LICENSE,
            "苏宁药监械经营许20220089号",
            "南京康泰（集团）医疗器械有限公司",
            USCC,
            date(2022, 5, 20),
            date(2027, 5, 19),
        ),
        (
            FILING,
            CT.CLASS2_FILING,
            "苏宁食药监械经营备20160123号",
            "南京康泰医疗器械有限公司",
            USCC,
            date(2016, 3, 1),
            None,
        ),
        (
            PRODUCTION,
            CT.PRODUCTION_LICENSE,
            "苏食药监械生产许20170012号",
            "江苏康联医疗科技有限公司",
            USCC,
            date(2017, 3, 5),
            date(2022, 3, 4),
        ),
        (
            REGISTRATION,
            CT.REGISTRATION_CERTIFICATE,
            "国械注准20213060123",
            "深圳迈瑞生物医疗电子股份有限公司",
            None,
            date(2021, 8, 10),
            date(2026, 8, 9),
        ),
        (
            HOSPITAL,
            CT.MEDICAL_INSTITUTION_LICENSE,
            "MAH4BXKF1320104121A1001",
            "南京市第一人民医院",
            HOSPITAL_USCC,
            date(2020, 1, 1),
            date(2024, 12, 31),
        ),
        (
            BUSINESS,
            CT.BUSINESS_LICENSE,
            USCC,
            "南京康泰医疗器械有限公司",
            USCC,
            date(2015, 3, 1),
            None,
        ),
    ],
)
def test_extracts_key_fields_of_every_type(
    text: str,
    doc_type: CT,
    number: str,
    holder: str,
    uscc: str | None,
    valid_from: date,
    valid_until: date | None,
) -> None:
    f = read(text)
    assert f.doc_type is doc_type
    assert f.license_number == number
    assert f.holder_name == holder
    assert f.uscc == uscc
    assert f.valid_from == valid_from
    assert f.valid_until == valid_until
    assert f.confidence == 1.0


@pytest.mark.parametrize(
    ("text", "authority", "categories", "classes"),
    [
        (OPERATION, "南京市市场监督管理局", ("06", "07", "6840"), ("II", "III")),
        (FILING, "南京市食品药品监督管理局", ("07", "22"), ("II",)),
        (PRODUCTION, "江苏省食品药品监督管理局", ("06", "07"), ("II", "III")),
        (REGISTRATION, "国家药品监督管理局", ("06",), ("III",)),
        (HOSPITAL, "南京市卫生健康委员会", (), ()),
    ],
)
def test_extracts_authority_and_scope(
    text: str, authority: str, categories: tuple[str, ...], classes: tuple[str, ...]
) -> None:
    f = read(text)
    assert f.issuing_authority == authority
    assert f.scope_categories == categories
    assert tuple(c.value for c in f.device_classes) == classes


def test_business_licence_long_term() -> None:
    f = read(BUSINESS)
    assert f.long_term and f.valid_until is None
    assert f.to_json_dict()["valid_until"] is None


def test_long_term_alone_takes_start_from_founding_date() -> None:
    f = read(BUSINESS.replace("营业期限 2015年03月01日至长期", "营业期限：长期"))
    assert f.long_term and f.valid_from == date(2015, 3, 1)


def test_label_and_value_on_separate_lines() -> None:
    f = read(
        f"医疗器械经营许可证\n企业名称\n南京康泰医疗器械有限公司\n许可证编号：\n苏宁药监械经营许20220089号\n"
        f"统一社会信用代码\n{USCC}\n有效期至\n2027-05-19"
    )
    assert f.holder_name == "南京康泰医疗器械有限公司"
    assert f.license_number == "苏宁药监械经营许20220089号"
    assert f.uscc == USCC
    assert f.valid_until == date(2027, 5, 19)


def test_tesseract_style_spaces_and_half_width_colons() -> None:
    f = read(
        f"医 疗 器 械 经 营 许 可 证\n许 可 证 编 号 : 苏 宁 药 监 械 经 营 许 2022 0089 号\n"
        f"企 业 名 称 : 南 京 康 泰 医 疗 器 械 有 限 公 司\n统 一 社 会 信 用 代 码 : {USCC}\n"
        f"有 效 期 至 : 2027 年 5 月 19 日"
    )
    assert f.doc_type is CT.OPERATION_LICENSE
    assert f.license_number == "苏宁药监械经营许20220089号"
    assert f.holder_name == "南京康泰医疗器械有限公司"
    assert f.valid_until == date(2027, 5, 19)


def test_ocr_confusions_in_credit_code_are_repaired_by_checksum() -> None:
    misread = USCC.replace("1", "I").replace("0", "O")
    f = read(f"营业执照\n统一社会信用代码：{misread}\n名称：南京康泰医疗器械有限公司")
    assert f.uscc == USCC
    assert f.evidence["uscc"].raw == misread


def test_text_layer_is_not_repaired() -> None:
    wrong = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    f = read(f"营业执照\n统一社会信用代码：{wrong}\n名称：某公司", repair=False)
    assert f.uscc == wrong and not is_valid_uscc(wrong)
    assert f.confidence < 1.0


def test_hint_used_when_no_title() -> None:
    f = read("名称：南京康泰医疗器械有限公司", hint=CT.BUSINESS_LICENSE)
    assert f.doc_type is CT.BUSINESS_LICENSE


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("营业执照", CT.BUSINESS_LICENSE),
        ("医疗器械经营许可证", CT.OPERATION_LICENSE),
        ("第二类医疗器械经营备案凭证", CT.CLASS2_FILING),
        ("医疗器械生产许可证", CT.PRODUCTION_LICENSE),
        ("中华人民共和国医疗器械注册证", CT.REGISTRATION_CERTIFICATE),
        ("医疗机构执业许可证", CT.MEDICAL_INSTITUTION_LICENSE),
        ("医 疗 器 械 注 册 证", CT.REGISTRATION_CERTIFICATE),
    ],
)
def test_detects_type_from_title(title: str, kind: CT) -> None:
    assert detect_type([title, "名称：某公司"]) is kind


def test_detects_type_from_number_without_title() -> None:
    assert detect_type(["编号：苏宁药监械经营备20220089号"]) is CT.CLASS2_FILING
    assert detect_type(["nothing here"]) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027年05月19日", date(2027, 5, 19)),
        ("2027年5月9日", date(2027, 5, 9)),
        ("2027-05-19", date(2027, 5, 19)),
        ("2027 年 5 月 19 曰", date(2027, 5, 19)),
        ("2027.05.19", date(2027, 5, 19)),
        ("2027年02月30日", None),
        ("无", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "until_label", "expected"),
    [
        ("自2022年05月20日至2027年05月19日", False, (date(2022, 5, 20), date(2027, 5, 19), False)),
        ("2022-05-20至2027-05-19", False, (date(2022, 5, 20), date(2027, 5, 19), False)),
        ("至2027年05月19日", False, (None, date(2027, 5, 19), False)),
        ("2027年05月19日", True, (None, date(2027, 5, 19), False)),
        ("2015年03月01日 至 长期", False, (date(2015, 3, 1), None, True)),
        ("长期", False, (None, None, True)),
    ],
)
def test_parse_validity(text: str, until_label: bool, expected: tuple[object, ...]) -> None:
    v = parse_validity(text, until_label=until_label)
    assert (v.valid_from, v.valid_until, v.long_term) == expected


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("第三类医疗器械：06 医用成像器械，07医用诊察和监护器械", ("06", "07")),
        ("Ⅲ类：6821,6822,6840（按2002年分类目录）", ("6821", "6822", "6840")),
        ("Ⅱ类：22-临床检验器械；6840-体外诊断试剂", ("22", "6840")),
        ("2017年版目录 23 99 100", ()),
    ],
)
def test_scope_categories(text: str, codes: tuple[str, ...]) -> None:
    assert scope_categories(text) == codes


@pytest.mark.parametrize(
    ("text", "licensed", "classes"),
    [
        ("第二类医疗器械销售；第三类医疗器械经营", False, (DeviceClass.II, DeviceClass.III)),
        ("Ⅲ类：06；Ⅱ类：07", False, (DeviceClass.II, DeviceClass.III)),
        ("III类：06", False, (DeviceClass.III,)),
        ("川类：06；1I类：07", False, (DeviceClass.II, DeviceClass.III)),
        ("I类：06", True, (DeviceClass.III,)),
        ("IIIII类：09；III类：05", True, (DeviceClass.II, DeviceClass.III)),
        ("第一类医疗器械销售", False, (DeviceClass.I,)),
    ],
)
def test_device_classes(text: str, licensed: bool, classes: tuple[DeviceClass, ...]) -> None:
    assert device_classes(text, licensed=licensed) == classes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (USCC, USCC),
        (USCC.replace("1", "I"), USCC),
        (USCC.replace("0", "O"), USCC),
        (USCC.replace("8", "B"), USCC),
        ("9132O1O5MA1XYW8Q5R", USCC),
        ("91320105MA1XYW8Q5", None),  # too short to tell
        ("ABCDEFGHJKLMNPQRTU", None),
    ],
)
def test_repair_uscc(raw: str, expected: str | None) -> None:
    assert repair_uscc(raw) == expected


def test_find_uscc_joins_spaced_token() -> None:
    assert find_uscc(f"代码 {USCC[:9]} {USCC[9:]}")[0] == USCC


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("苏宁药监械经营许2022OO89号", "苏宁药监械经营许20220089号"),
        ("京 食 药 监 械 生 产 许 2015 0001 号", "京食药监械生产许20150001号"),
        ("沪浦药监械经营备2O21O537号", "沪浦药监械经营备20210537号"),
        ("国械注进2019306O123", "国械注进20193060123"),
        ("苏械注准20212220001", "苏械注准20212220001"),
    ],
)
def test_find_regulator_number(text: str, number: str) -> None:
    assert find_regulator_number(text)[0][0] == number


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("# 济南睿智医学科技有限责任公司", "济南睿智医学科技有限责任公司"),
        ("（山东华信医药股份有限公司", "山东华信医药股份有限公司"),
        ("国药控股(南京)医疗器械有限公司 .", "国药控股（南京）医疗器械有限公司"),
        ("南京市第一人民医院*", "南京市第一人民医院"),
    ],
)
def test_canonical_holder_name(raw: str, name: str) -> None:
    assert canonical_name(raw) == name
