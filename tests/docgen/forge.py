"""Forgeries made from genuine generated documents, each seeded and deterministic.

A forger starts from a real document and changes what stands in the way::

    genuine = Genuine(truth, "degraded", seed="any string")   # the real upload
    forgery = forge("number_digit", genuine, random.Random(1), method="painted_after")
    forgery.data, forgery.mime, forgery.forged, forgery.traces

Kinds (``KINDS``):

* ``number_digit``: one digit of the licence number changed;
* ``date_digit``: one digit of the end date changed (to a later date);
* ``check_char``: a business licence's credit-code check character (the 18th) changed;
* ``dates_shifted``: issue and end dates both moved by +3 years, consistently;
* ``term_extended``: the end date pushed out so the term exceeds the legal 5 years;
* ``filing_upgraded``: a class II filing (备案凭证) edited into an operation licence:
  title, 备→许 in the number (same serial), class III in the scope, an end date added;
* ``someone_else``: another company's genuine licence uploaded for this customer;
* ``holder_off_by_one``: the holder's name with one character changed;
* ``blank`` and ``unrelated``: a blank page; an invoice or letter to the customer.

Methods (``METHODS``): ``regenerated`` renders the forged truth anew from the genuine
document's own template (same layout, typeface and scan; the cleanest forgery, which
leaves no mark in the file); ``painted_before`` and ``painted_after`` repaint the
changed values on the page before it is scanned/photographed or on the finished image
(see ``paint``); ``substituted``, ``blank`` and ``unrelated`` for the kinds of the
same names.

Each ``Forgery`` says where it can be caught (``traces``): ``content`` (not a licence
at all), ``document`` (marks of the edit in the file), ``rules`` (the document breaks
a consistency rule of its type), ``customer`` (it contradicts what is held about the
customer), ``history`` (it contradicts the genuine document the customer already
holds) and ``registry`` (its number is listed with other values). A forgery with only
``registry`` can be caught by nothing else.
"""

from __future__ import annotations

import datetime
import io
import random
import re
from dataclasses import dataclass, fields, replace

from PIL import Image
from stdnum.cn.uscc import calc_check_digit

from .fields import USCC_ALPHABET, five_years_after
from .generate import render
from .layout import DATE_STYLES, format_date
from .other_pages import blank_page, unrelated_page
from .paint import NotPaintable, draw_style, paint_image, paint_page, plan_edits
from .raster import Quality, encode, render_scan_mapped
from .truth import DOC_TYPES, Truth

KINDS: tuple[str, ...] = (
    "number_digit",
    "date_digit",
    "check_char",
    "dates_shifted",
    "term_extended",
    "filing_upgraded",
    "someone_else",
    "holder_off_by_one",
    "blank",
    "unrelated",
)
METHODS: tuple[str, ...] = ("regenerated", "painted_before", "painted_after", "substituted", "blank", "unrelated")
RENDERINGS: tuple[str, ...] = ("text_pdf", "clean", "degraded", "photo")
SCAN_RENDERINGS: tuple[str, ...] = ("clean", "degraded", "photo")
# Kinds whose change is a few printed values, so a forger can paint them over a scan.
PAINTABLE_KINDS: frozenset[str] = frozenset(
    {"number_digit", "date_digit", "check_char", "dates_shifted", "holder_off_by_one"}
)
TRACES: tuple[str, ...] = ("content", "document", "rules", "customer", "history", "registry")

MIMES = {"text_pdf": "application/pdf", "clean": "image/png", "degraded": "image/jpeg", "photo": "image/jpeg"}
LIMITED_TERM_TYPES = frozenset({"operation_license", "production_license", "registration_certificate"})
SHIFT_YEARS = 3

# Characters a forger might swap into a company name: common in trade names, so the
# result still reads as a plausible company.
_NAME_CHARS = "康泰华瑞安达恒信和盛德博源祥鑫宏润佳汇联科健美正新"


@dataclass(frozen=True)
class Genuine:
    """A genuine upload: ``render(truth, rendering, random.Random(seed))``."""

    truth: Truth
    rendering: str
    seed: str

    def render(self) -> bytes:
        """Return the document's bytes."""
        return render(self.truth, self.rendering, random.Random(self.seed))

    @property
    def mime(self) -> str:
        return MIMES[self.rendering]


@dataclass(frozen=True)
class Forgery:
    """One forged upload and what it was made from."""

    kind: str
    method: str
    rendering: str
    genuine: Truth
    forged: Truth | None  # None for pages that are not a licence
    data: bytes
    mime: str
    traces: frozenset[str]
    note: str

    @property
    def changed_fields(self) -> tuple[str, ...]:
        """The Truth fields in which the forged document differs from the genuine."""
        if self.forged is None:
            return ()
        return changed_fields(self.genuine, self.forged)

    @property
    def in_document(self) -> bool:
        """Whether the upload itself shows it (edit marks, or not a licence at all)."""
        return bool(self.traces & {"content", "document"})


def changed_fields(a: Truth, b: Truth) -> tuple[str, ...]:
    """Names of the Truth fields that differ between ``a`` and ``b``."""
    return tuple(f.name for f in fields(Truth) if getattr(a, f.name) != getattr(b, f.name))


def applies(kind: str, truth: Truth) -> bool:
    """Tell whether ``kind`` can be made from a genuine ``truth``."""
    if kind not in KINDS:
        raise ValueError(f"unknown forgery kind {kind!r}")
    if kind == "date_digit" or kind == "dates_shifted":
        return truth.valid_until is not None
    if kind == "check_char":
        return truth.doc_type == "business_license"
    if kind == "term_extended":
        return truth.doc_type in LIMITED_TERM_TYPES and truth.valid_until is not None
    if kind == "filing_upgraded":
        return truth.doc_type == "class2_filing"
    return True


def methods_for(kind: str, rendering: str) -> tuple[str, ...]:
    """The methods that make sense for ``kind`` in ``rendering``."""
    if kind in ("blank", "unrelated"):
        return (kind,)
    if kind == "someone_else":
        return ("substituted",)
    if kind not in PAINTABLE_KINDS or rendering == "text_pdf":
        return ("regenerated",)
    if rendering == "clean":  # a lossless scan: editing before or after scanning is alike
        return ("regenerated", "painted_after")
    return ("regenerated", "painted_before", "painted_after")


# --- the forged truths -------------------------------------------------------------


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _number_digit(truth: Truth, rng: random.Random) -> tuple[Truth, str]:
    number = truth.license_number
    positions = [i for i, ch in enumerate(number) if ch.isdigit()]
    # Mostly the serial (the last four digits): a forger who changes the year or the
    # region makes a number that contradicts the rest of the page.
    pos = rng.choice(positions[-4:] if rng.random() < 0.75 else positions)
    new_digit = rng.choice([d for d in "0123456789" if d != number[pos]])
    forged_number = number[:pos] + new_digit + number[pos + 1 :]
    forged = replace(truth, license_number=forged_number)
    if truth.doc_type == "business_license":  # the number is the credit code
        forged = replace(forged, uscc=forged_number)
    return forged, f"number {number} -> {forged_number} (character {pos + 1})"


def _date_digit(truth: Truth, rng: random.Random) -> tuple[Truth, str]:
    assert truth.valid_until is not None
    iso = truth.valid_until.isoformat()
    later: list[tuple[int, datetime.date]] = []
    for pos, ch in enumerate(iso):
        # A zero that leads a month or day is not printed in every style: leave it.
        if not ch.isdigit() or (pos in (5, 8) and ch == "0"):
            continue
        for digit in "0123456789":
            if digit == ch:
                continue
            try:
                day = datetime.date.fromisoformat(iso[:pos] + digit + iso[pos + 1 :])
            except ValueError:
                continue
            if truth.valid_until < day <= _add_years(truth.valid_until, 9):
                later.append((pos, day))
    # Forgers mostly change the year's last digit: the smallest edit that buys years.
    years = [c for c in later if c[0] == 3]
    pos, day = rng.choice(years if years and rng.random() < 0.7 else later)
    return replace(truth, valid_until=day), f"end date {truth.valid_until} -> {day} (character {pos + 1})"


def _check_char(truth: Truth, rng: random.Random) -> tuple[Truth, str]:
    code = truth.license_number
    new = rng.choice([c for c in USCC_ALPHABET if c != code[17]])
    forged_code = code[:17] + new
    return replace(truth, license_number=forged_code, uscc=forged_code), f"check character {code[17]} -> {new}"


def _dates_shifted(truth: Truth) -> tuple[Truth, str]:
    assert truth.valid_from is not None and truth.valid_until is not None
    start, end = _add_years(truth.valid_from, SHIFT_YEARS), _add_years(truth.valid_until, SHIFT_YEARS)
    forged = replace(truth, valid_from=start, valid_until=end)
    return forged, f"dates {truth.valid_from}..{truth.valid_until} -> {start}..{end}"


def _term_extended(truth: Truth, rng: random.Random) -> tuple[Truth, str]:
    assert truth.valid_until is not None
    end = _add_years(truth.valid_until, rng.randint(1, 5))
    return replace(truth, valid_until=end), f"end date {truth.valid_until} -> {end} (term over 5 years)"


def _filing_upgraded(truth: Truth, rng: random.Random) -> tuple[Truth, str]:
    assert truth.valid_from is not None
    number = truth.license_number.replace("经营备", "经营许")
    classes = ("II", "III") if rng.random() < 0.5 else ("III",)
    forged = replace(
        truth,
        doc_type="operation_license",
        license_number=number,
        valid_until=five_years_after(truth.valid_from),
        device_classes=classes,
    )
    return forged, f"filing {truth.license_number} -> licence {number}, classes {classes}"


def _holder_off_by_one(truth: Truth, rng: random.Random) -> tuple[Truth, str]:
    name = truth.holder_name or ""
    # Keep the legal form (有限公司 ...) and brackets: the trade name is what changes.
    body = len(name) - 4 if name.endswith("公司") else len(name) - 2
    positions = [i for i, ch in enumerate(name[: max(1, body)]) if "\u4e00" <= ch <= "\u9fff"]
    pos = rng.choice(positions)
    new = rng.choice([c for c in _NAME_CHARS if c != name[pos]])
    forged_name = name[:pos] + new + name[pos + 1 :]
    return replace(truth, holder_name=forged_name), f"holder {name} -> {forged_name}"


def forged_truth(kind: str, genuine: Truth, rng: random.Random, other: Truth | None = None) -> tuple[Truth | None, str]:
    """Return the forged document's truth (None for a page that is not a licence) and a note."""
    if not applies(kind, genuine):
        raise ValueError(f"{kind} cannot be made from a {genuine.doc_type}")
    if kind == "number_digit":
        return _number_digit(genuine, rng)
    if kind == "date_digit":
        return _date_digit(genuine, rng)
    if kind == "check_char":
        return _check_char(genuine, rng)
    if kind == "dates_shifted":
        return _dates_shifted(genuine)
    if kind == "term_extended":
        return _term_extended(genuine, rng)
    if kind == "filing_upgraded":
        return _filing_upgraded(genuine, rng)
    if kind == "holder_off_by_one":
        return _holder_off_by_one(genuine, rng)
    if kind == "someone_else":
        if other is None or other.holder_name == genuine.holder_name:
            raise ValueError("someone_else needs another company's genuine document")
        return other, f"{other.holder_name}'s {other.doc_type} {other.license_number}"
    return None, kind  # blank, unrelated


# --- where a forgery can be caught ------------------------------------------------

_NUMBER_YEAR = re.compile(r"(?:许|备|械注准|械注进)(\d{4})")


def rule_violations(truth: Truth) -> list[str]:
    """Consistency rules of ../shared/domain.md that ``truth`` breaks (empty if none)."""
    broken = []
    for code in {truth.uscc, truth.license_number if truth.doc_type == "business_license" else None} - {None}:
        assert code is not None
        if len(code) != 18 or calc_check_digit(code[:17]) != code[17]:
            broken.append(f"credit code {code} fails its check character")
    match = _NUMBER_YEAR.search(truth.license_number)
    if match and truth.valid_from and int(match.group(1)) > truth.valid_from.year:
        broken.append(f"number year {match.group(1)} after the issue date {truth.valid_from}")
    if (
        truth.doc_type in LIMITED_TERM_TYPES
        and truth.valid_from
        and truth.valid_until
        and truth.valid_until > five_years_after(truth.valid_from)
    ):
        broken.append(f"term {truth.valid_from}..{truth.valid_until} longer than 5 years")
    if truth.doc_type == "class2_filing":
        if truth.valid_until is not None:
            broken.append("a filing with an end date")
        if "许" in truth.license_number:
            broken.append("a filing numbered with 许")
        if "III" in truth.device_classes:
            broken.append("class III on a filing")
    if "备" in truth.license_number and truth.doc_type != "class2_filing":
        broken.append("a licence numbered with 备")
    return broken


def _serial(number: str) -> str:
    """The year and serial of a 许/备 number (``…许20210345号`` -> ``20210345``)."""
    match = re.search(r"[许备](\d{8})", number)
    return match.group(1) if match else number


def history_conflicts(held: Truth, new: Truth) -> list[str]:
    """What a verifier holding ``held`` can see is wrong with ``new`` (../shared/domain.md)."""
    out = []
    if held.doc_type != new.doc_type and _serial(held.license_number) == _serial(new.license_number):
        out.append(f"serial of the held {held.doc_type} reused on a {new.doc_type}")
    if held.doc_type == new.doc_type and held.valid_from == new.valid_from:
        if held.license_number != new.license_number:
            out.append("another number without a new issue date")
        if held.valid_until != new.valid_until:
            out.append("end date moved without a new issue date")
    if held.holder_name != new.holder_name:
        out.append("another holder")
    if held.uscc and new.uscc and held.uscc != new.uscc:
        out.append("another credit code")
    return out


def registry_conflicts(record: Truth | None, new: Truth) -> list[str]:
    """Fields of ``new`` that disagree with the registry's ``record`` for its number."""
    if record is None:
        return []
    names = ("doc_type", "holder_name", "uscc", "valid_from", "valid_until")
    return [n for n in names if getattr(record, n) != getattr(new, n)]


def traces(
    genuine: Truth, forged: Truth | None, method: str, registry: dict[str, Truth] | None = None
) -> frozenset[str]:
    """Where a forgery of ``genuine`` into ``forged`` by ``method`` can be caught.

    ``registry`` maps numbers to genuine records (default: the genuine document alone).
    """
    if forged is None:
        return frozenset({"content"})
    found = set()
    if method.startswith("painted"):
        found.add("document")
    if rule_violations(forged):
        found.add("rules")
    if forged.holder_name != genuine.holder_name or (genuine.uscc and forged.uscc and forged.uscc != genuine.uscc):
        found.add("customer")
    if history_conflicts(genuine, forged):
        found.add("history")
    records = registry if registry is not None else {genuine.license_number: genuine}
    if registry_conflicts(records.get(forged.license_number), forged):
        found.add("registry")
    return frozenset(found)


# --- rendering ----------------------------------------------------------------------


def printed_substitutions(genuine: Truth, forged: Truth) -> list[tuple[str, str]]:
    """Printed strings to replace on the genuine page to show the forged truth."""
    pairs: list[tuple[str, str]] = []
    for name in ("license_number", "uscc", "holder_name"):
        old, new = getattr(genuine, name), getattr(forged, name)
        if old and new and old != new and (old, new) not in pairs:
            pairs.append((old, new))
    for name in ("valid_until", "valid_from"):
        old_day, new_day = getattr(genuine, name), getattr(forged, name)
        if old_day and new_day and old_day != new_day:
            # The page uses one of the date styles; offer all, the painter finds it.
            pairs += [(format_date(old_day, s), format_date(new_day, s)) for s in DATE_STYLES]
    return pairs


def _painted(genuine: Genuine, forged: Truth, method: str, rng: random.Random) -> bytes:
    pairs = printed_substitutions(genuine.truth, forged)
    quality: Quality = genuine.rendering  # type: ignore[assignment]
    if method == "painted_before":

        def edit(img: Image.Image, page, scale):  # type: ignore[no-untyped-def]
            style = draw_style(rng, page)
            return paint_page(img, page, scale, plan_edits(page, pairs, style.whole_field), style)

        data, _ = render_scan_mapped(genuine.truth, random.Random(genuine.seed), quality, edit=edit)
        return data
    data, geometry = render_scan_mapped(genuine.truth, random.Random(genuine.seed), quality)
    style = draw_style(rng, geometry.page)
    edits = plan_edits(geometry.page, pairs, style.whole_field)
    scanned = Image.open(io.BytesIO(data))
    dpi = scanned.info.get("dpi")
    img = paint_image(scanned.convert("RGB"), geometry, edits, style, rng)
    dpi_value = float(dpi[0]) if dpi else None
    if genuine.rendering == "clean":
        return encode(img.convert("L"), "PNG", dpi=dpi_value)
    # Saved again from the editor: the whole image gets a second JPEG compression.
    return encode(img, "JPEG", quality=rng.randint(80, 95), dpi=dpi_value)


def forge(
    kind: str,
    genuine: Genuine,
    rng: random.Random,
    *,
    method: str | None = None,
    other: Genuine | None = None,
    registry: dict[str, Truth] | None = None,
) -> Forgery:
    """Make a forgery of ``kind`` from ``genuine``, rendered like it.

    ``method`` defaults to the first of ``methods_for(kind, genuine.rendering)``;
    ``other`` is the other company's genuine upload for ``someone_else``; ``registry``
    (number -> genuine truth) decides the ``registry`` trace.

    Raises ``ValueError`` when the kind or method does not apply, and ``NotPaintable``
    (a ``ValueError``) when a painted value is not printed as one run of text.
    """
    allowed = methods_for(kind, genuine.rendering)
    method = method or allowed[0]
    if method not in allowed:
        raise ValueError(f"{kind} in {genuine.rendering} cannot be made by {method}")
    forged, note = forged_truth(kind, genuine.truth, rng, other.truth if other else None)
    if kind == "blank":
        data = blank_page(genuine.rendering, rng)
    elif kind == "unrelated":
        data = unrelated_page(genuine.rendering, rng, genuine.truth.holder_name, genuine.truth.uscc)
    elif kind == "someone_else":
        assert other is not None
        data = other.render()
    elif method == "regenerated":
        assert forged is not None
        # The genuine document's own template and scan, only the truth changed.
        data = render(forged, genuine.rendering, random.Random(genuine.seed))
    else:
        assert forged is not None
        data = _painted(genuine, forged, method, rng)
    if kind == "someone_else" and other is not None:
        registry = {
            **(registry or {genuine.truth.license_number: genuine.truth}),
            other.truth.license_number: other.truth,
        }
    return Forgery(
        kind=kind,
        method=method,
        rendering=genuine.rendering,
        genuine=genuine.truth,
        forged=forged,
        data=data,
        mime=MIMES[genuine.rendering],
        traces=traces(genuine.truth, forged, method, registry),
        note=note,
    )


__all__ = [
    "DOC_TYPES",
    "KINDS",
    "METHODS",
    "PAINTABLE_KINDS",
    "RENDERINGS",
    "SCAN_RENDERINGS",
    "TRACES",
    "Forgery",
    "Genuine",
    "NotPaintable",
    "applies",
    "changed_fields",
    "forge",
    "forged_truth",
    "history_conflicts",
    "methods_for",
    "printed_substitutions",
    "registry_conflicts",
    "rule_violations",
    "traces",
]
