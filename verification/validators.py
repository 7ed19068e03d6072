"""Format validators: credit-code checksum, licence-number shape per type, date sanity.

Validators decide whether a reading can be trusted; they never look at images.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from verification.types import CertificateType
from verification.uscc import is_valid_uscc, normalize_uscc

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
_P = f"[{PROVINCES}]"
# The city part of a licence number is one character, sometimes missing (province-level
# issuers) or two; 食药监 is the pre-2018 authority name still printed on older licences.
_NUMBER_PATTERNS: dict[CertificateType, tuple[re.Pattern[str], ...]] = {
    CertificateType.BUSINESS_LICENSE: (
        re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{18}$"),
        re.compile(r"^\d{15}$"),  # pre-2015 registration number (注册号)
    ),
    CertificateType.OPERATION_LICENSE: (
        re.compile(rf"^{_P}[\u4e00-\u9fff]{{0,2}}?(?:食)?药监械经营许(?:19|20)\d{{6}}号$"),
    ),
    CertificateType.CLASS2_FILING: (
        re.compile(rf"^{_P}[\u4e00-\u9fff]{{0,2}}?(?:食)?药监械经营备(?:19|20)\d{{6}}号$"),
    ),
    CertificateType.PRODUCTION_LICENSE: (
        re.compile(rf"^{_P}[\u4e00-\u9fff]{{0,2}}?(?:食)?药监械生产许(?:19|20)\d{{6}}号$"),
    ),
    CertificateType.REGISTRATION_CERTIFICATE: (
        # 国械注准/进/许 + year + class digit + 2-digit category + 4-digit serial
        re.compile(r"^国械注[准进许](?:19|20)\d{2}[123]\d{2}\d{4}$"),
        re.compile(rf"^{_P}械注[准进许](?:19|20)\d{{2}}[123]\d{{2}}\d{{4}}$"),
        # pre-2014 form, e.g. 国食药监械(准)字2012第3400001号
        re.compile(r"^(?:国|[" + PROVINCES + r"])食?药监械\([准进许]\)字(?:19|20)\d{2}第\d{7}号$"),
    ),
    CertificateType.MEDICAL_INSTITUTION_LICENSE: (
        # 登记号: an alphanumeric code of about 20 characters
        re.compile(r"^[0-9A-Z]{16,26}$"),
    ),
}

EARLIEST_YEAR = 1980
LATEST_YEAR = 2099


def uscc_ok(code: str | None) -> bool:
    """Tell whether a credit code is present and its GB 32100 check characters hold."""
    return bool(code) and is_valid_uscc(code or "")


def number_shape_ok(doc_type: CertificateType | None, number: str | None) -> bool:
    """Tell whether a licence number has the shape its document type prescribes.

    Parameters:
        doc_type: the document type; None means unknown, which never validates.
        number: the number as extracted (already normalised to half-width).

    Returns:
        True if any accepted pattern of the type matches.
    """
    if doc_type is None or not number:
        return False
    if doc_type is CertificateType.BUSINESS_LICENSE:
        compact = normalize_uscc(number)
        return is_valid_uscc(compact) or bool(_NUMBER_PATTERNS[doc_type][1].match(compact))
    return any(p.match(number) for p in _NUMBER_PATTERNS[doc_type])


def plausible_date(value: date | None) -> bool:
    """Tell whether a date lies in the range a licence can carry."""
    return value is not None and EARLIEST_YEAR <= value.year <= LATEST_YEAR


def dates_ok(valid_from: date | None, valid_until: date | None) -> bool:
    """Tell whether a validity range is sane: plausible years and from ≤ until.

    Either end may be missing (长期, or a filing without expiry); a missing end is
    not an error here.
    """
    for value in (valid_from, valid_until):
        if value is not None and not plausible_date(value):
            return False
    return not (valid_from and valid_until and valid_from > valid_until)


def number_year(number: str | None) -> int | None:
    """Return the issue year embedded in a licence number (…许2022NNNN号), if any."""
    if not number:
        return None
    m = re.search(r"(?:许|备|注[准进许])((?:19|20)\d{2})", number)
    return int(m.group(1)) if m else None


# Licences, production licences, registration certificates and practising licences
# run five years from the issue date, ending the day before the anniversary.
FIVE_YEAR_TYPES = frozenset(
    {
        CertificateType.OPERATION_LICENSE,
        CertificateType.PRODUCTION_LICENSE,
        CertificateType.REGISTRATION_CERTIFICATE,
        CertificateType.MEDICAL_INSTITUTION_LICENSE,
    }
)


def years_after(start: date, years: int) -> date:
    """Return the last day of a validity of ``years`` years that began on ``start``."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return end - timedelta(days=1)


def five_years_after(start: date) -> date:
    """Return the last day of a five-year validity that began on ``start``."""
    return years_after(start, 5)


def term_consistent(doc_type: CertificateType | None, valid_from: date | None, valid_until: date | None) -> bool | None:
    """Tell whether a five-year document's dates agree with each other.

    Returns:
        True or False for a five-year type with both dates read, None when it cannot
        be judged. It is a hint for choosing between OCR readings, not a rule: an
        issuer may shorten a term (e.g. to match the business licence).
    """
    if doc_type not in FIVE_YEAR_TYPES or valid_from is None or valid_until is None:
        return None
    return valid_until == five_years_after(valid_from)
