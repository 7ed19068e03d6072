"""Splitting document lines into labelled values (``企业名称：…``).

Issuers word their labels differently (企业名称 / 名称 / 注册人名称 / 机构名称,
发证日期 / 备案日期 …), a value may sit on the label's line or on the next, and
two-column layouts put two labels on one line. Lines are cut at every known label,
so a value ends where the next label starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (field key, label). Longer labels first so 企业名称 wins over 名称.
LABELS: tuple[tuple[str, str], ...] = (
    ("uscc", "统一社会信用代码"),
    ("uscc", "社会信用代码"),
    ("uscc", "信用代码"),
    ("number", "医疗器械经营许可证编号"),
    ("number", "许可证编号"),
    ("number", "生产许可证编号"),
    ("number", "备案编号"),
    ("number", "备案凭证编号"),
    ("number", "注册证编号"),
    ("number", "登记号"),
    ("number", "证书编号"),
    ("number", "编号"),
    ("number", "备案号"),
    ("holder", "医疗机构名称"),
    ("holder", "企业名称"),
    ("holder", "注册人名称"),
    ("holder", "机构名称"),
    ("holder", "经营企业名称"),
    ("other", "产品名称"),
    ("other", "代理人名称"),
    ("other", "注册人住所"),
    ("other", "代理人住所"),
    ("holder", "名称"),
    ("holder", "注册人"),
    ("other", "法定代表人"),
    ("other", "企业负责人"),
    ("other", "主要负责人"),
    ("other", "质量负责人"),
    ("other", "负责人"),
    ("other", "法人"),
    ("other", "住所"),
    ("other", "经营场所"),
    ("other", "库房地址"),
    ("other", "仓库地址"),
    ("other", "生产地址"),
    ("other", "地址"),
    ("other", "经营方式"),
    ("other", "类型"),
    ("other", "注册资本"),
    ("other", "经济性质"),
    ("other", "所有制形式"),
    ("other", "型号规格"),
    ("other", "型号,规格"),
    ("other", "附件"),
    ("other", "结构及组成"),
    ("other", "适用范围"),
    ("other", "预期用途"),
    ("other", "床位"),
    ("other", "诊疗科目"),
    ("class", "管理类别"),
    ("scope", "经营范围"),
    ("scope", "生产范围"),
    ("scope", "许可范围"),
    ("scope", "分类编码"),
    ("authority", "发证部门"),
    ("authority", "发证机关"),
    ("authority", "发证机构"),
    ("authority", "备案部门"),
    ("authority", "登记机关"),
    ("authority", "审批部门"),
    ("authority", "批准部门"),
    ("issued", "发证日期"),
    ("issued", "备案日期"),
    ("issued", "批准日期"),
    ("issued", "登记日期"),
    ("founded", "成立日期"),
    ("validity", "有效期限"),
    ("validity", "营业期限"),
    ("validity", "经营期限"),
    ("until", "有效期至"),
    ("until", "有效期"),
)
_SCOPE_LIKE = re.compile(r"类|器械|试剂")


def _label_pattern(label: str) -> str:
    # OCR may put spaces between the characters of a label.
    body = r"\s*".join(re.escape(ch) for ch in label)
    if len(label) <= 3:
        # Short labels (名称, 住所, 编号) also occur inside values, so they count only
        # at the start of a line, before a space or colon, or when a colon follows.
        start = body
        if len(label) == 2:
            # Spaced-out labels (名　　称) make OCR see a stray mark in the gap, or
            # lose one of the two characters: a lone half still labels a line when
            # a colon follows it.
            halves = f"{re.escape(label[0])}|{re.escape(label[1])}"
            start = rf"{re.escape(label[0])}\s*[^\s:]?\s*{re.escape(label[1])}|(?:{halves})(?=\s*:)"
        return rf"(?:^\s*(?:{start})|(?<=[\s:;,])(?:{body})(?=\s*:|\s)|(?:{body})(?=\s*:))"
    return body


_LABEL_RE = re.compile("|".join(f"(?P<l{i}>{_label_pattern(label)})" for i, (_, label) in enumerate(LABELS)))


@dataclass(frozen=True)
class Segment:
    """A run of text on one line: a label and its value, or unlabelled text (key None)."""

    key: str | None
    label: str
    value: str
    line_no: int


def segment_lines(lines: list[str]) -> list[Segment]:
    """Cut lines at known labels.

    Parameters:
        lines: cleaned lines (half-width, CJK spaces removed).

    Returns:
        Segments in reading order; text before the first label of a line is an
        unlabelled segment.
    """
    segments: list[Segment] = []
    for no, line in enumerate(lines):
        pos = 0
        current: tuple[str, str] | None = None
        for m in _LABEL_RE.finditer(line):
            before = line[pos : m.start()]
            _emit(segments, current, before, no)
            index = int(next(k for k, v in m.groupdict().items() if v is not None)[1:])
            current = (LABELS[index][0], LABELS[index][1])
            pos = m.end()
        _emit(segments, current, line[pos:], no)
    return segments


def _emit(segments: list[Segment], current: tuple[str, str] | None, text: str, no: int) -> None:
    value = text.strip().lstrip(":;,. ").strip()
    if current is None:
        if value:
            segments.append(Segment(None, "", value, no))
        return
    segments.append(Segment(current[0], current[1], value, no))


def labelled_values(
    segments: list[Segment], key: str, *, follow: int = 1, lead: bool = False
) -> list[tuple[str, str, int]]:
    """Return (label, value, line number) for every segment labelled ``key``.

    An empty value takes the next unlabelled segment (label and value on separate
    lines); ``follow`` > 1 also joins that many continuation segments (a scope that
    runs over several lines). ``lead`` also takes the unlabelled segments just before
    the label: in ruled tables a label sits at the middle of a tall cell, so the
    first lines of its value come before it.
    """
    found = []
    for i, seg in enumerate(segments):
        if seg.key != key:
            continue
        parts = [seg.value] if seg.value else []
        if lead:
            j = i - 1
            while j >= 0 and segments[j].key is None and i - j <= follow:
                j -= 1
            before = [s.value for s in segments[j + 1 : i]]
            # Only text that reads like a scope: a wrapped address before the label
            # must not lend its house numbers as category codes.
            while before and not _SCOPE_LIKE.search(before[0]):
                before.pop(0)
            parts = before + parts
        extra = follow - 1 if seg.value else follow
        j = i + 1
        while extra > 0 and j < len(segments) and segments[j].key is None:
            parts.append(segments[j].value)
            j += 1
            extra -= 1
        joiner = "" if follow > 1 else " "
        found.append((seg.label, joiner.join(parts), seg.line_no))
    return found
