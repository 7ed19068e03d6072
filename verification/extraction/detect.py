"""Certificate type detection from the text of a document."""

from __future__ import annotations

import re

from verification.types import CertificateType

# Most specific titles first: a class II filing's title contains 医疗器械经营, and a
# business licence's scope may mention 医疗器械经营许可证 in passing, so titles found
# near the top of the page weigh more than mentions further down.
_TITLES: tuple[tuple[CertificateType, re.Pattern[str]], ...] = (
    (CertificateType.CLASS2_FILING, re.compile(r"第?二类医疗器械经营备案凭证|经营备案凭证")),
    (CertificateType.MEDICAL_INSTITUTION_LICENSE, re.compile(r"医疗机构执业许可证|执业许可证")),
    (CertificateType.PRODUCTION_LICENSE, re.compile(r"医疗器械生产许可证|生产许可证")),
    (CertificateType.OPERATION_LICENSE, re.compile(r"医疗器械经营许可证|经营许可证")),
    (CertificateType.REGISTRATION_CERTIFICATE, re.compile(r"医疗器械注册证|注册证")),
    (CertificateType.BUSINESS_LICENSE, re.compile(r"营业执照|营业执")),
)
# Fallback when the title was not read: the shape of the number gives the type away.
_NUMBER_HINTS: tuple[tuple[CertificateType, re.Pattern[str]], ...] = (
    (CertificateType.CLASS2_FILING, re.compile(r"药监械经营备")),
    (CertificateType.OPERATION_LICENSE, re.compile(r"药监械经营许")),
    (CertificateType.PRODUCTION_LICENSE, re.compile(r"药监械生产许")),
    (CertificateType.REGISTRATION_CERTIFICATE, re.compile(r"械注[准进许]")),
    (CertificateType.MEDICAL_INSTITUTION_LICENSE, re.compile(r"诊疗科目|登记号")),
    (CertificateType.BUSINESS_LICENSE, re.compile(r"注册资本|成立日期|营业期限")),
)


def detect_type(lines: list[str]) -> CertificateType | None:
    """Return the certificate type named by the document's title, or None.

    Parameters:
        lines: the document's lines with spaces between CJK characters removed.
    """
    compact = [re.sub(r"\s", "", line) for line in lines]
    # A title stands on a short line of its own near the top.
    for line in compact[:8]:
        for kind, pattern in _TITLES:
            if pattern.search(line) and len(line) <= 20:
                return kind
    text = "\n".join(compact)
    for kind, pattern in _TITLES:
        if pattern.search(text):
            return kind
    for kind, pattern in _NUMBER_HINTS:
        if pattern.search(text):
            return kind
    return None


def title_position(lines: list[str]) -> float | None:
    """Return where the first title line lies on the page (0 top … 1 bottom), or None.

    Titles print at the top. RapidOCR reads each line of a page scanned upside down
    the right way round but lists the lines bottom-up, so the title comes out near the
    end: a position past the middle gives the page's orientation away.
    """
    for index, line in enumerate(lines):
        compact = re.sub(r"\s", "", line)
        if len(compact) <= 20 and any(pattern.search(compact) for _, pattern in _TITLES):
            return index / max(len(lines) - 1, 1)
    return None
