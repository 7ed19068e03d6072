"""Per-type field extraction from the lines of one document."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from verification.extraction import codes, dates, scope
from verification.extraction.detect import detect_type
from verification.extraction.labels import Segment, labelled_values, segment_lines
from verification.normalize import clean_ocr_line
from verification.types import (
    CertificateType,
    DeviceClass,
    ExtractedFields,
    FieldEvidence,
    TextLine,
)
from verification.uscc import is_valid_uscc
from verification.validators import FIVE_YEAR_TYPES, dates_ok, five_years_after, number_shape_ok

REGULATOR_NUMBER_KINDS = {
    CertificateType.OPERATION_LICENSE: "经营许",
    CertificateType.CLASS2_FILING: "经营备",
    CertificateType.PRODUCTION_LICENSE: "生产许",
}
_AUTHORITY_RE = re.compile(r"[\u4e00-\u9fff]{2,24}?(?:管理总局|管理局|委员会|卫生健康局|卫生局)")
# Records a field's evidence: (field name, raw text, line number[, confidence factor]).
Record = Callable[..., None]
_PARTIAL_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[年\-./]\s*(\d{1,2})\s*月")
# A registered holder name: Chinese characters (with bracketed place names, rarely
# Latin letters) ending in an entity form. OCR garbage and neighbouring fields do not.
_HOLDER_RE = re.compile(
    r"^[\u4e00-\u9fffA-Za-z0-9（）·&]{3,60}"
    r"(?:公司|医院|中心|卫生院|诊所|门诊部|卫生室|卫生所|研究院|研究所|集团|厂|店|药房|药店"
    r"|合伙企业|经营部|商行|事务所|保健院|疗养院|医务室|株式会社|GmbH|AG|Inc\.?|Ltd\.?)$"
)
_NAME_TRAIL_RE = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9）)]+$")
_NAME_LEAD_RE = re.compile(r"^[^\u4e00-\u9fffA-Za-z0-9（(]+")


def extract_fields(
    lines: Sequence[TextLine],
    *,
    engine: str,
    hint: CertificateType | None = None,
    repair: bool = True,
) -> ExtractedFields:
    """Read the fields of one document from its lines of text.

    Parameters:
        lines: the document's lines in reading order, each with its confidence.
        engine: the name of what produced the lines (``text-layer``, ``rapidocr`` …).
        hint: the type the uploader declared, used when the text does not tell.
        repair: repair OCR look-alike errors in credit codes (off for text layers).

    Returns:
        The fields found, with evidence and an overall confidence; fields that could
        not be read are None (or empty).
    """
    cleaned = [clean_ocr_line(line.text) for line in lines]
    conf = [line.confidence for line in lines]
    boxes = [line.box for line in lines]
    doc_type = detect_type(cleaned) or hint
    segments = segment_lines(cleaned)
    ev: dict[str, FieldEvidence] = {}

    def evidence(field: str, raw: str, line_no: int, factor: float = 1.0) -> None:
        c = conf[line_no] if 0 <= line_no < len(conf) else 0.0
        box = boxes[line_no] if 0 <= line_no < len(boxes) else None
        ev[field] = FieldEvidence(raw=raw, engine=engine, confidence=c * factor, box=box)

    uscc = _read_uscc(segments, cleaned, evidence, repair)
    number = _read_number(doc_type, segments, cleaned, uscc, evidence)
    holder = _read_holder(segments, evidence)
    valid_from, valid_until, long_term = _read_validity(doc_type, segments, evidence)
    authority = _read_authority(segments, cleaned, evidence)
    categories, classes = _read_scope(doc_type, segments, number)

    fields = ExtractedFields(
        doc_type=doc_type,
        license_number=number,
        holder_name=holder,
        uscc=uscc,
        valid_from=valid_from,
        valid_until=valid_until,
        issuing_authority=authority,
        scope_categories=categories,
        device_classes=classes,
        confidence=0.0,
        engine=engine,
        long_term=long_term,
        evidence=ev,
    )
    return with_confidence(fields)


def key_fields(doc_type: CertificateType | None) -> tuple[str, ...]:
    """Return the fields a document of this type must yield to be trusted."""
    if doc_type in (
        CertificateType.REGISTRATION_CERTIFICATE,
        CertificateType.MEDICAL_INSTITUTION_LICENSE,
    ):
        return ("license_number", "holder_name")
    return ("license_number", "holder_name", "uscc")


def field_valid(fields: ExtractedFields, name: str) -> bool:
    """Tell whether one field of a reading passes its validator (present and well-formed)."""
    value = getattr(fields, name)
    if name == "uscc":
        return bool(value) and is_valid_uscc(value)
    if name == "license_number":
        return number_shape_ok(fields.doc_type, value)
    if name == "holder_name":
        return bool(value) and bool(_HOLDER_RE.match(value)) and value.count("（") == value.count("）")
    if name in ("valid_until", "valid_from"):
        return value is not None and dates_ok(fields.valid_from, fields.valid_until)
    return value not in (None, "", ())


def with_confidence(fields: ExtractedFields) -> ExtractedFields:
    """Return ``fields`` with its overall confidence recomputed from evidence and validity.

    The weakest key field's OCR confidence, halved for each key field that fails its
    validator, for an unknown type and for insane dates.
    """
    from dataclasses import replace

    keys = key_fields(fields.doc_type)
    seen = [fields.evidence[k].confidence for k in keys if k in fields.evidence]
    base = min(seen) if seen else 0.0
    penalty = 1.0
    for name in keys:
        if not field_valid(fields, name):
            penalty *= 0.5
    if fields.doc_type is None:
        penalty *= 0.5
    if not dates_ok(fields.valid_from, fields.valid_until):
        penalty *= 0.5
    return replace(fields, confidence=round(base * penalty, 4))


def _read_uscc(segments: list[Segment], cleaned: list[str], evidence: Record, repair: bool) -> str | None:
    candidates = [(v, n) for _, v, n in labelled_values(segments, "uscc", follow=1)]
    candidates += [(line, n) for n, line in enumerate(cleaned)]
    fallback: tuple[str, str, int] | None = None
    for text, line_no in candidates:
        code, raw = codes.find_uscc(text, repair=repair)
        if code and is_valid_uscc(code):
            evidence("uscc", raw, line_no)
            return code
        if code and fallback is None:
            fallback = (code, raw, line_no)
    if fallback:
        evidence("uscc", fallback[1], fallback[2])
        return fallback[0]
    return None


def _read_number(
    doc_type: CertificateType | None,
    segments: list[Segment],
    cleaned: list[str],
    uscc: str | None,
    evidence: Record,
) -> str | None:
    if doc_type is CertificateType.BUSINESS_LICENSE:
        if uscc:
            return uscc
        for _, value, line_no in labelled_values(segments, "number"):
            compact = re.sub(r"\s", "", value)
            if re.fullmatch(r"\d{15}", compact):
                evidence("license_number", value, line_no)
                return compact
        return None
    if doc_type is CertificateType.MEDICAL_INSTITUTION_LICENSE:
        for _, value, line_no in labelled_values(segments, "number"):
            hit = codes.find_institution_number(value)
            if hit:
                evidence("license_number", hit[1], line_no)
                return hit[0]
        return None
    wanted = REGULATOR_NUMBER_KINDS.get(doc_type) if doc_type else None
    sources = [(v, n) for _, v, n in labelled_values(segments, "number")]
    sources += [(line, n) for n, line in enumerate(cleaned)]
    for text, line_no in sources:
        for number, raw in codes.find_regulator_number(text):
            if wanted is None and doc_type is CertificateType.REGISTRATION_CERTIFICATE:
                if "械注" not in number and "械(" not in number:
                    continue
            elif wanted is not None and wanted not in number:
                continue
            evidence("license_number", raw, line_no)
            return number
    return None


# The 类型 row of a business licence (有限责任公司（自然人投资或控股）…) names a legal
# form, not a holder: when OCR loses the 类型 label its value must not become the name.
_LEGAL_FORM_RE = re.compile(
    r"^(?:其他)?(?:有限责任公司|股份有限公司|股份合作制|个人独资企业|普通合伙企业|有限合伙企业|合伙企业"
    r"|全民所有制|集体所有制|个体工商户|外商独资企业|中外合资经营企业|事业单位|民办非企业单位)"
    r"(?:（[^）]*）|\([^)]*\))?(?:分公司)?$"
)


def _read_holder(segments: list[Segment], evidence: Record) -> str | None:
    for _, value, line_no in labelled_values(segments, "holder"):
        name = canonical_name(value)
        if _LEGAL_FORM_RE.match(name):
            continue
        if len(name) >= 2:
            evidence("holder_name", value, line_no)
            return name
    return None


def canonical_name(value: str) -> str:
    """Return a holder name in the form printed on Chinese documents.

    Spaces are dropped and brackets are made full-width （…）, which is how registered
    names are written; comparisons use ``normalize_name`` anyway.
    """
    name = re.sub(r"\s+", "", value)
    # OCR turns specks and seal fragments at either end into symbols (#, *, ·).
    name = _NAME_LEAD_RE.sub("", _NAME_TRAIL_RE.sub("", name))
    name = name.replace("(", "（").replace(")", "）")
    # A lone bracket at either end is a frame line or speck read as a bracket.
    if name.startswith("（") and "）" not in name:
        name = name[1:]
    if name.endswith("）") and "（" not in name:
        name = name[:-1]
    return name


def _read_validity(
    doc_type: CertificateType | None, segments: list[Segment], evidence: Record
) -> tuple[date | None, date | None, bool]:
    valid_from: date | None = None
    valid_until: date | None = None
    long_term = False
    partial: tuple[int, int, str, int] | None = None
    for key in ("validity", "until"):
        for _label, value, line_no in labelled_values(segments, key, follow=1):
            v = dates.parse_validity(value, until_label=(key == "until"))
            if v.valid_until is None and not v.long_term:
                month = _PARTIAL_DATE_RE.findall(value)
                if month and partial is None:
                    partial = (int(month[-1][0]), int(month[-1][1]), value, line_no)
            if v.long_term:
                long_term = True
                evidence("valid_until", value, line_no)
            if v.valid_until and valid_until is None:
                valid_until = v.valid_until
                evidence("valid_until", value, line_no)
            if v.valid_from and valid_from is None:
                valid_from = v.valid_from
                evidence("valid_from", value, line_no)
    if valid_from is None:
        for key in ("issued", "founded"):
            for _, value, line_no in labelled_values(segments, key):
                found = dates.parse_date(value)
                if found:
                    evidence("valid_from", value, line_no)
                    valid_from = found
                    break
            if valid_from:
                break
    if doc_type is CertificateType.BUSINESS_LICENSE and valid_until is not None and valid_until == valid_from:
        # 营业期限 starts on the founding date (成立日期); a lone date equal to it is
        # the start read where the end should be, not an end.
        valid_until = None
    if valid_until is None and not long_term and partial and valid_from:
        # A seal often hides the day of the end date. A five-year term ends the day
        # before the fifth anniversary of issue, so a year and month that agree with
        # it pin the day; the evidence is marked as inferred (half confidence).
        expected = five_years_after(valid_from)
        if doc_type in FIVE_YEAR_TYPES and (expected.year, expected.month) == partial[:2]:
            valid_until = expected
            evidence("valid_until", partial[2] + " (day inferred from 5-year term)", partial[3], 0.5)
    return valid_from, valid_until, long_term and valid_until is None


def _read_authority(segments: list[Segment], cleaned: list[str], evidence: Record) -> str | None:
    for _, value, line_no in labelled_values(segments, "authority"):
        m = _AUTHORITY_RE.search(re.sub(r"\s", "", value))
        if m:
            evidence("issuing_authority", value, line_no)
            return m.group(0)
    for line_no, line in reversed(list(enumerate(cleaned))):
        m = _AUTHORITY_RE.search(re.sub(r"\s", "", line))
        if m and ":" not in line:
            evidence("issuing_authority", line, line_no)
            return m.group(0)
    return None


def _read_scope(
    doc_type: CertificateType | None, segments: list[Segment], number: str | None
) -> tuple[tuple[str, ...], tuple[DeviceClass, ...]]:
    text = " ".join(v for _, v, _ in labelled_values(segments, "scope", follow=4, lead=True))
    class_text = " ".join(v for _, v, _ in labelled_values(segments, "class"))
    categories = scope.scope_categories(text)
    if doc_type is CertificateType.CLASS2_FILING:
        # A filing is for class II only; one whose scope names class III is kept as
        # read, so that the consistency rules can send it to a person.
        # Only the written-out 三类 counts: OCR reads the numeral Ⅱ as III or 川 too often.
        third = re.search(r"三\s*类", text + " " + class_text)
        classes: tuple[DeviceClass, ...] = (DeviceClass.II, DeviceClass.III) if third else (DeviceClass.II,)
    else:
        licensed = doc_type in (
            CertificateType.OPERATION_LICENSE,
            CertificateType.PRODUCTION_LICENSE,
        )
        classes = scope.device_classes(text + " " + class_text, licensed=licensed)
    if doc_type is CertificateType.REGISTRATION_CERTIFICATE and number:
        # 国械注准2017 3 06 0001: the class digit and category follow the year.
        m = re.search(r"械注[准进许](?:19|20)\d{2}([123])(\d{2})\d{4}$", number)
        if m:
            if not classes:
                classes = (DeviceClass(("I", "II", "III")[int(m.group(1)) - 1]),)
            if not categories and 1 <= int(m.group(2)) <= 22:
                categories = (m.group(2),)
    return categories, classes
