"""What a document says: title, labelled rows and footer, built from a ``Truth``.

Wording (label variants, date style, colon width, scope phrasing) is drawn from the
rng per document so an extractor cannot overfit one layout. Extra printed details
that are not part of ``Truth`` (people, addresses, products) are invented here too.
Geometry lives in ``page.py``; this module only decides the text.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from . import names
from .fields import random_date
from .names import CATALOGUE, PRODUCTS, Place
from .truth import TITLES, Truth

DATE_STYLES = ("zh_padded", "zh", "iso")

# Label wordings seen on real documents; one is drawn per document.
_LABELS: dict[str, tuple[str, ...]] = {
    "company": ("企业名称", "名称", "企业名称"),
    "uscc": ("统一社会信用代码", "社会信用代码", "统一社会信用代码"),
    "domicile": ("住所", "注册地址"),
    "op_number": ("许可证编号", "编号", "许可证编号"),
    "filing_number": ("备案编号", "备案号"),
    "issuer": ("发证部门", "发证机关"),
}

_GENERAL_ITEMS = [
    "医疗设备租赁",
    "技术服务、技术开发、技术咨询",
    "消毒剂销售（不含危险化学品）",
    "办公用品销售",
    "信息咨询服务（不含许可类信息咨询服务）",
]
_SELF_RUN_NOTE = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"

_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ"}
_CHINESE = {"I": "一", "II": "二", "III": "三"}


@dataclass(frozen=True)
class Row:
    """One labelled line; ``key`` names the Truth field it carries, if any."""

    label: str
    value: str
    key: str | None = None


@dataclass
class DocLayout:
    """The text content and style choices of one document."""

    title: str
    subtitle: str | None
    rows: list[Row]
    footer: list[Row]  # right-aligned issuer / date lines at the bottom
    seal_text: str  # ring text of the issuer's seal
    seal_bottom: str | None  # horizontal text under the star, e.g. 行政许可专用章
    colon: str = "："
    table: bool = False  # labels and values in a ruled grid instead of label：value lines
    spaced_title: bool = False
    top_right: str | None = None  # e.g. the 副本 serial number of a business licence
    notes: list[str] = field(default_factory=list)  # small print under the rows


def format_date(day: datetime.date, style: str) -> str:
    """Format a date as printed: 2027年05月19日, 2027年5月19日 or 2027-05-19."""
    if style == "zh_padded":
        return f"{day.year}年{day.month:02d}月{day.day:02d}日"
    if style == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def place_for(truth: Truth, rng: random.Random) -> Place:
    """Return the place named in the issuer or holder, so addresses agree with them."""
    authority = (truth.issuing_authority or "") + (truth.holder_name or "")
    matches = [p for p in names.PLACES if p.city in authority or p.province.removesuffix("省") in authority]
    city_matches = [p for p in matches if p.city in authority]
    return (city_matches or matches or [rng.choice(names.PLACES)])[0]


def scope_text(classes: tuple[str, ...], codes: tuple[str, ...], rng: random.Random, noun: str = "医疗器械") -> str:
    """Return scope text such as 第三类医疗器械：06 医用成像器械，07 ...；第二类医疗器械：22 ...

    Every code appears as digits so it can be extracted; codes are shared out among
    the classes so each class lists at least one.
    """
    ordered = sorted(classes, key=len, reverse=True)  # III before II, as printed
    buckets: dict[str, list[str]] = {c: [] for c in ordered}
    shuffled = list(codes)
    rng.shuffle(shuffled)
    for i, code in enumerate(shuffled):
        target = ordered[i] if i < len(ordered) else rng.choice(ordered)
        buckets[target].append(code)
    class_style = rng.choice(("full", "roman", "short"))
    item_style = rng.choice((" ", "-", "", " "))
    sep = rng.choice(("，", "、", "，"))
    parts = []
    for cls in ordered:
        items = sorted(buckets[cls], key=lambda c: (len(c), c))
        if not items:
            continue
        head = {
            "full": f"第{_CHINESE[cls]}类{noun}",
            "roman": f"{_ROMAN[cls]}类",
            "short": f"{_CHINESE[cls]}类",
        }[class_style]
        parts.append(head + "：" + sep.join(f"{c}{item_style}{CATALOGUE[c]}" for c in items))
    return "；".join(parts)


def _label(key: str, rng: random.Random) -> str:
    return rng.choice(_LABELS[key])


def _space_out(label: str, rng: random.Random, chance: float) -> str:
    """Space a short label as 名　　称, the way business licences print them."""
    if len(label) == 2 and rng.random() < chance:
        return label[0] + "\u3000\u3000" + label[1]
    if len(label) == 3 and rng.random() < chance:
        return label[0] + " " + label[1] + " " + label[2]
    return label


def _validity_row(truth: Truth, rng: random.Random, style: str) -> Row:
    assert truth.valid_from and truth.valid_until
    start, end = format_date(truth.valid_from, style), format_date(truth.valid_until, style)
    if rng.random() < 0.5:
        return Row("有效期至", end, "valid_until")
    return Row("有效期限", rng.choice((f"{start}至{end}", f"自{start}至{end}")), "validity")


def build_layout(truth: Truth, rng: random.Random) -> DocLayout:
    """Return the printed content of the document described by ``truth``."""
    style = rng.choice(DATE_STYLES)
    place = place_for(truth, rng)
    builder = {
        "business_license": _business_license,
        "operation_license": _operation_license,
        "class2_filing": _class2_filing,
        "production_license": _production_license,
        "registration_certificate": _registration_certificate,
        "medical_institution_license": _medical_institution_license,
    }[truth.doc_type]
    doc = builder(truth, rng, style, place)
    doc.colon = "：" if rng.random() < 0.8 else ":"
    doc.table = truth.doc_type != "business_license" and rng.random() < 0.3
    doc.spaced_title = rng.random() < 0.3
    return doc


def _business_license(truth: Truth, rng: random.Random, style: str, place: Place) -> DocLayout:
    assert truth.valid_from
    sp = 0.6  # business licences usually space out two-character labels
    start = format_date(truth.valid_from, style)
    if truth.valid_until is None:
        term = rng.choice((f"{start}至长期", "长期", f"{start} 至 长期"))
    else:
        term = f"{start}至{format_date(truth.valid_until, style)}"
    licensed = ["第三类医疗器械经营"] if "III" in truth.device_classes else []
    general = [f"第{_CHINESE[c]}类医疗器械销售" for c in ("I", "II") if c in truth.device_classes]
    general += rng.sample(_GENERAL_ITEMS, 2)
    scope = ("许可项目：" + "；".join(licensed) + "。") if licensed else ""
    scope += "一般项目：" + "；".join(general) + "。" + _SELF_RUN_NOTE
    capital = rng.choice(("伍佰万元整", "壹仟万元整", "叁仟万元整", "贰佰万元整", "伍仟万元整"))
    rows = [
        Row("统一社会信用代码", truth.license_number, "license_number"),
        Row(_space_out("名称", rng, sp), truth.holder_name or "", "holder_name"),
        Row(
            _space_out("类型", rng, sp),
            rng.choice(
                (
                    "有限责任公司（自然人投资或控股）",
                    "股份有限公司（非上市、自然人投资或控股）",
                    "有限责任公司（法人独资）",
                )
            ),
        ),
        Row("法定代表人", names.person_name(rng)),
        Row("注册资本", rng.choice(("人民币", "")) + capital),
        Row("成立日期", start, "valid_from"),
        Row("营业期限", term, "validity"),
        Row(_space_out("住所", rng, sp), names.address(rng, place)),
        Row("经营范围", scope, "scope"),
    ]
    registered = random_date(rng, truth.valid_from, datetime.date(2025, 9, 30))
    serial = "".join(rng.choice("0123456789") for _ in range(rng.choice((15, 20))))
    return DocLayout(
        title="营业执照",
        subtitle="（副　本）" if rng.random() < 0.5 else None,
        rows=rows,
        footer=[
            Row("登记机关", truth.issuing_authority or "", "issuing_authority"),
            Row("", format_date(registered, style)),
        ],
        seal_text=truth.issuing_authority or "",
        seal_bottom=None,
        top_right=f"编号{rng.choice(('：', ' '))}{serial}" if rng.random() < 0.6 else None,
    )


def _company_rows(truth: Truth, rng: random.Random, number_key: str, place: Place) -> list[Row]:
    rows = [
        Row(_label(number_key, rng), truth.license_number, "license_number"),
        Row(_label("company", rng), truth.holder_name or "", "holder_name"),
    ]
    if truth.uscc:
        rows.append(Row(_label("uscc", rng), truth.uscc, "uscc"))
    rows += [
        Row("法定代表人", names.person_name(rng)),
        Row("企业负责人", names.person_name(rng)),
        Row(_label("domicile", rng), names.address(rng, place)),
    ]
    return rows


def _footer(truth: Truth, rng: random.Random, style: str, dept: str, date_label: str) -> list[Row]:
    assert truth.valid_from
    return [
        Row(dept, truth.issuing_authority or "", "issuing_authority"),
        Row(date_label, format_date(truth.valid_from, style), "valid_from"),
    ]


def _operation_license(truth: Truth, rng: random.Random, style: str, place: Place) -> DocLayout:
    rows = _company_rows(truth, rng, "op_number", place)
    rows += [
        Row("质量负责人", names.person_name(rng)),
        Row("经营场所", names.address(rng, place)),
        Row("库房地址", names.address(rng, place)),
        Row("经营方式", rng.choice(("批发", "零售", "批零兼营"))),
        Row("经营范围", scope_text(truth.device_classes, truth.scope_categories, rng), "scope"),
        _validity_row(truth, rng, style),
    ]
    return DocLayout(
        title=TITLES[truth.doc_type],
        subtitle=rng.choice((None, "（副本）")),
        rows=rows,
        footer=_footer(truth, rng, style, _label("issuer", rng), "发证日期"),
        seal_text=truth.issuing_authority or "",
        seal_bottom=rng.choice((None, "行政许可专用章")),
    )


def _class2_filing(truth: Truth, rng: random.Random, style: str, place: Place) -> DocLayout:
    rows = _company_rows(truth, rng, "filing_number", place)
    rows += [
        Row("经营场所", names.address(rng, place)),
        Row("库房地址", names.address(rng, place)),
        Row("经营方式", rng.choice(("批发", "零售", "批零兼营"))),
        Row("经营范围", scope_text(truth.device_classes, truth.scope_categories, rng), "scope"),
    ]
    return DocLayout(
        title=TITLES[truth.doc_type],
        subtitle=None,
        rows=rows,
        footer=_footer(truth, rng, style, "备案部门", rng.choice(("备案日期", "备案日期", "发证日期"))),
        seal_text=truth.issuing_authority or "",
        seal_bottom=None,
    )


def _production_license(truth: Truth, rng: random.Random, style: str, place: Place) -> DocLayout:
    rows = _company_rows(truth, rng, "op_number", place)
    rows += [
        Row("生产地址", names.address(rng, place)),
        Row("生产范围", scope_text(truth.device_classes, truth.scope_categories, rng), "scope"),
        _validity_row(truth, rng, style),
    ]
    return DocLayout(
        title=TITLES[truth.doc_type],
        subtitle=rng.choice((None, "（副本）")),
        rows=rows,
        footer=_footer(truth, rng, style, _label("issuer", rng), "发证日期"),
        seal_text=truth.issuing_authority or "",
        seal_bottom=rng.choice((None, "行政许可专用章")),
    )


def _registration_certificate(truth: Truth, rng: random.Random, style: str, place: Place) -> DocLayout:
    assert truth.valid_until
    category = truth.scope_categories[0]
    product = rng.choice(PRODUCTS[category])
    models = "、".join(f"{rng.choice('ABCDMXY')}{rng.randint(10, 990)}" for _ in range(3))
    rows = [
        Row("注册证编号", truth.license_number, "license_number"),
        Row("注册人名称", truth.holder_name or "", "holder_name"),
        Row("注册人住所", names.address(rng, place)),
        Row("生产地址", names.address(rng, place)),
    ]
    if truth.license_number.startswith("国械注进"):
        rows.append(Row("代理人名称", names.company_name(rng, place)))
    rows += [
        Row("产品名称", product),
        Row("型号、规格", models),
        Row("结构及组成", f"该产品由主机、{rng.choice(('软件', '探头', '附件'))}组成。"),
        Row("适用范围", f"供医疗机构用于{CATALOGUE[category]}相关的临床诊断或治疗。"),
        Row("附件", "产品技术要求"),
        Row("有效期至", format_date(truth.valid_until, style), "valid_until"),
    ]
    return DocLayout(
        title="中华人民共和国医疗器械注册证" if rng.random() < 0.5 else TITLES[truth.doc_type],
        subtitle=None,
        rows=rows,
        footer=_footer(truth, rng, style, "审批部门", rng.choice(("批准日期", "发证日期"))),
        seal_text=truth.issuing_authority or "",
        seal_bottom=None,
    )


def _medical_institution_license(truth: Truth, rng: random.Random, style: str, place: Place) -> DocLayout:
    assert truth.valid_from and truth.valid_until
    depts = "；".join(rng.sample(names.DEPARTMENTS, rng.randint(5, 10)))
    start, end = format_date(truth.valid_from, style), format_date(truth.valid_until, style)
    rows = [
        Row("机构名称", truth.holder_name or "", "holder_name"),
        Row("地址", names.address(rng, place)),
        Row("法定代表人", names.person_name(rng)),
        Row("主要负责人", names.person_name(rng)),
        Row("所有制形式", rng.choice(("全民所有制", "集体所有制", "股份制"))),
        Row("诊疗科目", depts),
        Row("床位", f"{rng.randint(1, 30) * 50}张"),
        Row("登记号", truth.license_number, "license_number"),
    ]
    if truth.uscc:
        rows.append(Row("统一社会信用代码", truth.uscc, "uscc"))
    rows.append(Row("有效期限", rng.choice((f"自{start}至{end}", f"{start}至{end}")), "validity"))
    return DocLayout(
        title=TITLES[truth.doc_type],
        subtitle=rng.choice((None, "（副本）")),
        rows=rows,
        footer=_footer(truth, rng, style, "发证机关", "发证日期"),
        seal_text=truth.issuing_authority or "",
        seal_bottom=None,
    )
