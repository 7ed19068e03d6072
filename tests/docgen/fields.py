"""Random but well-formed field values: credit codes, licence numbers, dates, scopes.

``make_truth(doc_type, rng)`` is the entry point; the helpers are public so tests
and other generators can reuse them.
"""

from __future__ import annotations

import datetime
import random

# python-stdnum rather than verification.uscc: importing the verification package
# pulls in the whole OCR pipeline, and the generator must not depend on the code
# it is used to test.
from stdnum.cn.uscc import calc_check_digit

from . import names
from .names import CATALOGUE, PRODUCTS, Place
from .truth import DOC_TYPES, Truth

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Dates are drawn relative to a fixed anchor, never today's date, so a seed always
# produces the same documents (some of which are expired, which tests need).
_EARLIEST_ISSUE = datetime.date(2015, 1, 1)
_LATEST_ISSUE = datetime.date(2025, 9, 30)


def org_code_check(body8: str) -> str:
    """Return the GB 11714 check character for an eight-character organisation code."""
    total = sum(_ORG_DIGITS.index(ch) * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, region6: str, prefix: str = "91") -> str:
    """Return a valid 18-character unified social credit code.

    ``prefix`` is the registration authority and entity type: 91 for enterprises,
    12 for public institutions such as public hospitals, 52 for private non-profits.
    """
    if rng.random() < 0.6:
        # Codes issued since 2015 mostly start the org-code part with "MA".
        body = "MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    # The org check is 0-9 or X, all of which are in the USCC alphabet.
    org_check = org_code_check(body)
    first17 = prefix + region6 + body + org_check
    return first17 + calc_check_digit(first17)


def random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """Return a uniformly drawn date in [start, end]."""
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def five_years_after(start: datetime.date) -> datetime.date:
    """Return the last day of a five-year validity that began on ``start``."""
    try:
        end = start.replace(year=start.year + 5)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + 5, day=28)
    return end - datetime.timedelta(days=1)


def region6(rng: random.Random, place: Place) -> str:
    """Return a six-digit administrative division code inside ``place``."""
    return place.region4 + rng.choice(("02", "04", "05", "06", "11", "13", "15"))


def pick_scope(rng: random.Random, classes: tuple[str, ...], allow_ivd: bool = True) -> tuple[str, ...]:
    """Return a sorted tuple of catalogue codes for a licence covering ``classes``."""
    pool = [c for c in CATALOGUE if allow_ivd or c != "6840"]
    count = rng.randint(len(classes), len(classes) + 4)
    return tuple(sorted(rng.sample(pool, count), key=_code_sort_key))


def _code_sort_key(code: str) -> tuple[int, str]:
    return (len(code), code)


def _old_style(issued: datetime.date, rng: random.Random) -> bool:
    """Tell whether a number issued on ``issued`` uses the pre-2018 食药监 wording."""
    return issued.year < 2018 or (issued.year == 2018 and rng.random() < 0.5)


def _serial(rng: random.Random) -> str:
    return f"{rng.randint(1, 2999):04d}"


def make_truth(doc_type: str, rng: random.Random) -> Truth:
    """Return a random, internally consistent ``Truth`` of the given type."""
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown doc_type {doc_type!r}")
    place = rng.choice(names.PLACES)
    issued = random_date(rng, _EARLIEST_ISSUE, _LATEST_ISSUE)
    city_authority = place.province + place.city if place.municipality else place.city
    builder = {
        "business_license": _business_license,
        "operation_license": _operation_license,
        "class2_filing": _class2_filing,
        "production_license": _production_license,
        "registration_certificate": _registration_certificate,
        "medical_institution_license": _medical_institution_license,
    }[doc_type]
    return builder(rng, place, issued, city_authority)


def _business_license(rng: random.Random, place: Place, issued: datetime.date, city: str) -> Truth:
    uscc = make_uscc(rng, region6(rng, place))
    founded = random_date(rng, datetime.date(2003, 1, 1), issued)
    if rng.random() < 0.55:
        until = None  # 长期
    else:
        years = rng.choice((20, 30, 50))
        until = founded.replace(year=founded.year + years, day=min(founded.day, 28))
        until -= datetime.timedelta(days=1)
    classes = rng.choice((("II",), ("II", "III"), ("I", "II"), ("I", "II", "III")))
    return Truth(
        doc_type="business_license",
        license_number=uscc,
        holder_name=names.company_name(rng, place),
        uscc=uscc,
        valid_from=founded,
        valid_until=until,
        issuing_authority=city + "市场监督管理局",
        scope_categories=(),
        device_classes=classes,
    )


def _operation_license(rng: random.Random, place: Place, issued: datetime.date, city: str) -> Truth:
    old = _old_style(issued, rng)
    agency = "食药监械经营许" if old else "药监械经营许"
    number = f"{place.prov_abbr}{place.city_abbr}{agency}{issued.year}{_serial(rng)}号"
    classes = ("II", "III") if rng.random() < 0.4 else ("III",)
    authority = city + ("食品药品监督管理局" if old else "市场监督管理局")
    return Truth(
        doc_type="operation_license",
        license_number=number,
        holder_name=names.company_name(rng, place),
        uscc=make_uscc(rng, region6(rng, place)),
        valid_from=issued,
        valid_until=five_years_after(issued),
        issuing_authority=authority,
        scope_categories=pick_scope(rng, classes),
        device_classes=classes,
    )


def _class2_filing(rng: random.Random, place: Place, issued: datetime.date, city: str) -> Truth:
    old = _old_style(issued, rng)
    agency = "食药监械经营备" if old else "药监械经营备"
    number = f"{place.prov_abbr}{place.city_abbr}{agency}{issued.year}{_serial(rng)}号"
    authority = city + ("食品药品监督管理局" if old else "市场监督管理局")
    return Truth(
        doc_type="class2_filing",
        license_number=number,
        holder_name=names.company_name(rng, place),
        uscc=make_uscc(rng, region6(rng, place)),
        valid_from=issued,
        valid_until=None,
        issuing_authority=authority,
        scope_categories=pick_scope(rng, ("II",)),
        device_classes=("II",),
    )


def _production_license(rng: random.Random, place: Place, issued: datetime.date, city: str) -> Truth:
    old = _old_style(issued, rng)
    agency = "食药监械生产许" if old else "药监械生产许"
    number = f"{place.prov_abbr}{agency}{issued.year}{_serial(rng)}号"
    classes = rng.choice((("II",), ("III",), ("II", "III")))
    authority = place.province + ("食品药品监督管理局" if old else "药品监督管理局")
    return Truth(
        doc_type="production_license",
        license_number=number,
        holder_name=names.company_name(rng, place),
        uscc=make_uscc(rng, region6(rng, place)),
        valid_from=issued,
        valid_until=five_years_after(issued),
        issuing_authority=authority,
        scope_categories=pick_scope(rng, classes),
        device_classes=classes,
    )


def _registration_certificate(rng: random.Random, place: Place, issued: datetime.date, city: str) -> Truth:
    category = rng.choice(sorted(PRODUCTS))
    device_class = "III" if rng.random() < 0.6 else "II"
    class_digit = "3" if device_class == "III" else "2"
    tail = f"{issued.year}{class_digit}{category}{_serial(rng)}"
    if device_class == "III" and rng.random() < 0.2:
        number, holder = "国械注进" + tail, names.foreign_registrant(rng)
    elif device_class == "III":
        number, holder = "国械注准" + tail, names.company_name(rng, place)
    else:
        number, holder = place.prov_abbr + "械注准" + tail, names.company_name(rng, place)
    if device_class == "III":
        authority = "国家食品药品监督管理总局" if issued.year < 2018 else "国家药品监督管理局"
    else:
        old = _old_style(issued, rng)
        authority = place.province + ("食品药品监督管理局" if old else "药品监督管理局")
    return Truth(
        doc_type="registration_certificate",
        license_number=number,
        holder_name=holder,
        uscc=None,  # registration certificates do not print the registrant's credit code
        valid_from=issued,
        valid_until=five_years_after(issued),
        issuing_authority=authority,
        scope_categories=(category,),
        device_classes=(device_class,),
    )


def _medical_institution_license(rng: random.Random, place: Place, issued: datetime.date, city: str) -> Truth:
    region = region6(rng, place)
    uscc = make_uscc(rng, region, prefix="12")
    # 登记号: organisation code + region code + institution-type code + serial (22 chars).
    org9 = uscc[8:17]
    number = f"{org9}{region}{rng.choice(('12', '11', '21', '22'))}A1{rng.randint(1, 999):03d}"
    shows_uscc = rng.random() < 0.6
    authority_suffix = "卫生和计划生育委员会" if issued.year < 2019 else "卫生健康委员会"
    return Truth(
        doc_type="medical_institution_license",
        license_number=number,
        holder_name=names.hospital_name(rng, place),
        uscc=uscc if shows_uscc else None,
        valid_from=issued,
        valid_until=five_years_after(issued),
        issuing_authority=city + authority_suffix,
        scope_categories=(),
        device_classes=(),
    )
