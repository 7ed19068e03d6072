"""Is the document possible at all? Rules a genuine document never breaks.

Each rule looks only at the document's own fields. A broken rule does not say the
document is forged (an OCR slip can break one too), but it does say a person must look
before it is trusted: the verifier sends it to review with the rule's id in the detail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from verification.rules import ConsistencyRules
from verification.types import CertificateType, DeviceClass, ExtractedFields
from verification.validators import number_year, years_after

# Province abbreviations as printed at the start of numbers, and the names an issuing
# authority uses for the same province.
PROVINCE_NAMES: dict[str, str] = {
    "京": "北京",
    "津": "天津",
    "冀": "河北",
    "晋": "山西",
    "蒙": "内蒙古",
    "辽": "辽宁",
    "吉": "吉林",
    "黑": "黑龙江",
    "沪": "上海",
    "苏": "江苏",
    "浙": "浙江",
    "皖": "安徽",
    "闽": "福建",
    "赣": "江西",
    "鲁": "山东",
    "豫": "河南",
    "鄂": "湖北",
    "湘": "湖南",
    "粤": "广东",
    "桂": "广西",
    "琼": "海南",
    "渝": "重庆",
    "川": "四川",
    "贵": "贵州",
    "云": "云南",
    "藏": "西藏",
    "陕": "陕西",
    "甘": "甘肃",
    "青": "青海",
    "宁": "宁夏",
    "新": "新疆",
}
_NATIONAL = "国家"


@dataclass(frozen=True)
class RuleBreach:
    """One rule a document breaks: its id (as in ``rules.toml``) and what was seen."""

    rule: str
    detail: str


def breaches(fields: ExtractedFields, rules: ConsistencyRules) -> list[RuleBreach]:
    """Return every consistency rule the document breaks (empty for a possible document)."""
    found = []
    for rule in _RULES:
        breach = rule(fields, rules)
        if breach is not None:
            found.append(breach)
    return found


def number_province(number: str | None) -> str | None:
    """Return the province abbreviation a regulator's number starts with (国 for national)."""
    if not number:
        return None
    head = number[0]
    if head == "国" or head in PROVINCE_NAMES:
        return head
    return None


def authority_province(authority: str | None) -> str | None:
    """Return the province an issuing authority names (国 for a national one), if any.

    A city-level authority (南京市市场监督管理局) names no province: None.
    """
    if not authority:
        return None
    if authority.startswith(_NATIONAL):
        return "国"
    for abbreviation, name in PROVINCE_NAMES.items():
        if authority.startswith(name):
            return abbreviation
    return None


def _term(fields: ExtractedFields, rules: ConsistencyRules) -> RuleBreach | None:
    years = rules.max_term_years.get(fields.doc_type) if fields.doc_type else None
    if years is None or fields.valid_from is None or fields.valid_until is None:
        return None
    longest = years_after(fields.valid_from, years)
    if fields.valid_until <= longest:
        return None
    return RuleBreach(
        "terms.max_years",
        f"runs {fields.valid_from} to {fields.valid_until}, longer than the {years}-year term "
        f"allowed for a {fields.doc_type.value if fields.doc_type else 'document'} (latest end {longest})",
    )


def _number_year(fields: ExtractedFields, rules: ConsistencyRules) -> RuleBreach | None:
    if fields.doc_type not in rules.number_year_types or fields.valid_from is None:
        return None
    year = number_year(fields.license_number)
    if year is None or year <= fields.valid_from.year:
        return None
    return RuleBreach(
        "number_year",
        f"the number {fields.license_number} was first issued in {year}, after this document's "
        f"issue date {fields.valid_from}",
    )


def _filing_term(fields: ExtractedFields, rules: ConsistencyRules) -> RuleBreach | None:
    if fields.doc_type not in rules.filing_types or fields.valid_until is None:
        return None
    return RuleBreach("filing.no_end_date", f"a filing has no end of validity, but this one ends {fields.valid_until}")


def _markers(fields: ExtractedFields, rules: ConsistencyRules) -> RuleBreach | None:
    number = fields.license_number or ""
    if fields.doc_type in rules.filing_types and rules.licence_marker in number:
        return RuleBreach("filing.marker", f"a filing's number carries {rules.licence_marker}: {number}")
    licence_types = {CertificateType.OPERATION_LICENSE, CertificateType.PRODUCTION_LICENSE}
    if fields.doc_type in licence_types and re.search(rf"械[经生][营产]{rules.filing_marker}", number):
        return RuleBreach("filing.marker", f"a licence's number carries {rules.filing_marker}: {number}")
    return None


def _class_three(fields: ExtractedFields, rules: ConsistencyRules) -> RuleBreach | None:
    if DeviceClass.III not in fields.device_classes or fields.doc_type not in rules.class_three_forbidden:
        return None
    kind = fields.doc_type.value if fields.doc_type else "document"
    return RuleBreach("class_three", f"class III in the scope of a {kind}, which cannot grant it")


def _place(fields: ExtractedFields, rules: ConsistencyRules) -> RuleBreach | None:
    if fields.doc_type not in rules.place_types:
        return None
    printed = number_province(fields.license_number)
    issuer = authority_province(fields.issuing_authority)
    if printed is None or issuer is None or printed == issuer:
        return None
    return RuleBreach(
        "place",
        f"the number {fields.license_number} belongs to {PROVINCE_NAMES.get(printed, '国家')}, "
        f"but the issuing authority is {fields.issuing_authority}",
    )


_RULES: tuple[Callable[[ExtractedFields, ConsistencyRules], RuleBreach | None], ...] = (
    _term,
    _number_year,
    _filing_term,
    _markers,
    _class_three,
    _place,
)
