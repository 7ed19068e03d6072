"""Can a forged or misread licence become VERIFIED? Genuine and forged documents through the verifier.

Usage: ``python -m bench.trust_bench [--n 4] [--seed 1] [--kinds K,...] [--renderings R,...] [--json FILE]``

Genuine documents of every type are generated, renderings in turn (text PDF, clean
scan, degraded scan, phone photo), in force on a fixed day; forgeries of every kind
in ``tests.docgen.forge`` are made from other genuine documents, spread over the
renderings and the methods that fit them (regenerated, painted over before or after
scanning): ``--n 4`` gives each type every rendering and each kind four variants,
``--n 9`` every variant of every kind. Each upload
is read once with ``verification.read_document`` and verified in three modes:

* ``rules``: the document and the customer alone;
* ``history``: the customer already holds the genuine document (for a filing upgraded
  to a licence: the genuine filing);
* ``registry``: history, plus a registry answer for the number read, from a registry
  of every genuine record in the run.

Printed: per forgery kind × rendering group × mode, how many became VERIFIED (false
VERIFIED; "catchable" counts those that leave a trace the mode can see: in the file,
against the rules or the customer, and in history/registry for those modes), sent to
a person or blocked; for genuine documents, how many were verified, sent to a person
or blocked, and the seconds per document. Every false VERIFIED and every genuine
hard block is listed with its checks.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from verification import (
    CertificateType,
    CustomerFacts,
    DeviceClass,
    DocumentError,
    ExtractedFields,
    HeldDocument,
    Purchase,
    RegistryRecord,
    read_document,
    verify_document,
)
from verification.registry import MemoryRegistry

TODAY = datetime.date(2025, 10, 15)
MODES: tuple[str, ...] = ("rules", "history", "registry")
GROUPS = {"text_pdf": "text PDF", "clean": "scans+photos", "degraded": "scans+photos", "photo": "scans+photos"}
FAILED = "FAILED"  # the file could not be read at all (DocumentError): never trusted
# Which traces each mode can see (tests.docgen.forge.TRACES).
VISIBLE: dict[str, frozenset[str]] = {
    "rules": frozenset({"content", "document", "rules", "customer"}),
    "history": frozenset({"content", "document", "rules", "customer", "history"}),
    "registry": frozenset({"content", "document", "rules", "customer", "history", "registry"}),
}
# Kinds whose point is to bring an expired document back into force: their genuine
# source may be expired (the forged document is in force either way).
REVIVING_KINDS = frozenset({"date_digit", "dates_shifted", "term_extended"})
_KIND_TYPES: dict[str, tuple[str, ...]] = {
    "check_char": ("business_license",),
    "filing_upgraded": ("class2_filing",),
    "term_extended": ("operation_license", "production_license", "registration_certificate"),
    "date_digit": (
        "operation_license",
        "production_license",
        "registration_certificate",
        "medical_institution_license",
        "business_license",
    ),
}
_KIND_TYPES["dates_shifted"] = _KIND_TYPES["date_digit"]


@dataclass
class Case:
    """One upload: genuine or forged, with what was read and each mode's outcome."""

    label: str  # "genuine" or the forgery kind
    method: str
    rendering: str
    doc_type: str  # the genuine document's type
    genuine: Any  # tests.docgen.Truth: the customer's own genuine document
    forged: Any | None  # the forged truth (None for genuine documents and blank/unrelated pages)
    data: bytes
    traces: frozenset[str] = frozenset()
    note: str = ""
    seconds: float = 0.0
    read: ExtractedFields | None = None
    read_error: str | None = None
    status: dict[str, str] = field(default_factory=dict)
    checks: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)

    @property
    def genuine_case(self) -> bool:
        return self.label == "genuine"

    def catchable(self, mode: str) -> bool:
        return bool(self.traces & VISIBLE[mode])


def in_force(truth: Any, today: datetime.date) -> bool:
    """Whether a document with ``truth`` is in force on ``today``."""
    if truth.valid_from and truth.valid_from > today:
        return False
    return truth.valid_until is None or truth.valid_until >= today


# --- building the cases -------------------------------------------------------------


def genuine_cases(n: int, seed: int, renderings: Sequence[str], today: datetime.date) -> Iterator[Case]:
    """``n`` genuine documents per type, renderings in turn, each in force on ``today``."""
    from tests.docgen import DOC_TYPES, make_truth
    from tests.docgen.forge import Genuine

    for j in range(n):
        for t, doc_type in enumerate(DOC_TYPES):
            rendering = renderings[(j + t) % len(renderings)]
            for attempt in range(500):
                key = f"trust:{seed}:genuine:{doc_type}:{rendering}:{j}:{attempt}"
                truth = make_truth(doc_type, random.Random(key))
                if in_force(truth, today):
                    break
            genuine = Genuine(truth, rendering, key)
            yield Case("genuine", "genuine", rendering, doc_type, truth, None, genuine.render())


def spread(combos: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Order (rendering, method) pairs so that any first few vary both as much as possible."""
    left, out = list(combos), []
    uses: Counter[str] = Counter()
    while left:
        best = min(left, key=lambda c: uses[c[0]] + uses[c[1]])
        left.remove(best)
        out.append(best)
        uses.update(best)
    return out


def forgery_cases(
    n: int, seed: int, kinds: Sequence[str], renderings: Sequence[str], today: datetime.date
) -> Iterator[Case]:
    """``n`` forgeries per kind, spread over renderings and methods, each in force on ``today``.

    The (rendering, method) pairs of a kind are taken in ``spread`` order, so ``n`` at
    least their number (9 for a paintable kind in all four renderings) covers them all.
    """
    from tests.docgen import DOC_TYPES, make_truth
    from tests.docgen.forge import Genuine, NotPaintable, applies, forge, forged_truth, methods_for

    for k, kind in enumerate(kinds):
        combos = spread([(r, m) for r in renderings for m in methods_for(kind, r)])
        types = _KIND_TYPES.get(kind, DOC_TYPES)
        for j in range(n):
            rendering, method = combos[j % len(combos)]
            doc_type = types[(j + k) % len(types)]
            for attempt in range(500):
                key = f"trust:{seed}:{kind}:{rendering}:{method}:{j}:{attempt}"
                truth = make_truth(doc_type, random.Random(key))
                if not applies(kind, truth) or not (kind in REVIVING_KINDS or in_force(truth, today)):
                    continue
                other = None
                if kind == "someone_else":
                    other_truth = make_truth(doc_type, random.Random(key + ":other"))
                    if not in_force(other_truth, today):
                        continue
                    other = Genuine(other_truth, rendering, key + ":other")
                forged, _ = forged_truth(kind, truth, random.Random(key), other.truth if other else None)
                if forged is not None and not in_force(forged, today):
                    continue
                try:
                    made = forge(kind, Genuine(truth, rendering, key), random.Random(key), method=method, other=other)
                except NotPaintable:
                    continue
                yield Case(
                    kind,
                    method,
                    rendering,
                    doc_type,
                    truth,
                    made.forged,
                    made.data,
                    traces=made.traces,
                    note=made.note,
                )
                break
            else:
                print(f"no source found for {kind} {rendering} {method}", file=sys.stderr)


# --- verifying ----------------------------------------------------------------------


def _cert_type(doc_type: str) -> CertificateType:
    return CertificateType(doc_type)


def _purchases(case: Case) -> tuple[Purchase, ...]:
    """What the customer buys: the classes its genuine document covers (class III too
    for an upgraded filing: that is what the forgery is for)."""
    truth = case.genuine
    classes = list(truth.device_classes)
    if case.label == "filing_upgraded":
        classes.append("III")
    category = truth.scope_categories[0] if truth.scope_categories else None
    return tuple(Purchase(DeviceClass(c), category) for c in dict.fromkeys(classes))


def _held(truth: Any) -> HeldDocument:
    return HeldDocument(
        doc_type=_cert_type(truth.doc_type),
        license_number=truth.license_number,
        holder_name=truth.holder_name,
        uscc=truth.uscc,
        valid_from=truth.valid_from,
        valid_until=truth.valid_until,
    )


def _record(truth: Any) -> RegistryRecord:
    return RegistryRecord(
        certificate_type=_cert_type(truth.doc_type),
        number=truth.license_number,
        holder_name=truth.holder_name or "",
        uscc=truth.uscc,
        valid_from=truth.valid_from,
        valid_until=truth.valid_until,
    )


def _number_key(number: str) -> str:
    return "".join(number.split()).upper()


def build_registry(cases: Sequence[Case], extra: Sequence[Any] = ()) -> MemoryRegistry:
    """Every genuine record in the run (a regulator's list of what it issued)."""
    records = {_number_key(t.license_number): _record(t) for t in [c.genuine for c in cases] + list(extra)}
    return MemoryRegistry(records.values(), source="bench registry")


def verify_case(case: Case, registry: MemoryRegistry, today: datetime.date, modes: Sequence[str]) -> None:
    """Read the case once, then verify it in every mode; fills ``case.status`` and ``checks``."""
    declared = _cert_type(case.forged.doc_type if case.forged is not None else case.doc_type)
    start = time.perf_counter()
    try:
        case.read = read_document(case.data, hint=declared)
    except DocumentError as exc:
        case.read_error = f"{exc.code.name}: {exc.message}"
    customer = CustomerFacts(
        legal_name=case.genuine.holder_name or "", uscc=case.genuine.uscc, purchases=_purchases(case)
    )
    for mode in modes:
        if case.read is None:
            case.status[mode] = FAILED
            case.checks[mode] = [("file", "fail", case.read_error or "")]
            continue
        kwargs: dict[str, Any] = {}
        if mode in ("history", "registry"):
            kwargs["history"] = (_held(case.genuine),)
        if mode == "registry":
            kwargs["registry"] = registry.lookup(
                case.read, holder_uscc=case.genuine.uscc, holder_name=case.genuine.holder_name
            )
        result = verify_document(case.read, customer, today=today, expected_type=declared, **kwargs)
        case.status[mode] = result.status.name
        case.checks[mode] = [(c.name, c.outcome.value, c.detail) for c in result.checks]
        if mode == modes[0]:
            case.seconds = time.perf_counter() - start


# --- reporting ----------------------------------------------------------------------


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "   - "


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def forgery_table(cases: Sequence[Case], modes: Sequence[str]) -> list[str]:
    """Per kind × rendering group × mode: false VERIFIED and where the rest went."""
    rows = [
        f"{'forgery kind':18s} {'group':13s} {'mode':9s} {'n':>3s} {'false VERIFIED':>15s} {'catchable':>9s} "
        f"{'NEEDS_REVIEW':>12s} {'MISMATCH':>8s} {'EXPIRED':>7s} {'FAILED':>6s}",
    ]
    rows.append("-" * len(rows[0]))
    grouped: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for case in cases:
        if not case.genuine_case:
            grouped[(case.label, GROUPS[case.rendering])].append(case)
    kinds = list(dict.fromkeys(c.label for c in cases if not c.genuine_case))
    for kind in kinds:
        for group in ("text PDF", "scans+photos"):
            members = grouped.get((kind, group), [])
            if not members:
                continue
            for mode in modes:
                counts = Counter(c.status[mode] for c in members)
                false_ok = [c for c in members if c.status[mode] == "VERIFIED"]
                catchable = sum(c.catchable(mode) for c in false_ok)
                rows.append(
                    f"{kind:18s} {group:13s} {mode:9s} {len(members):3d} "
                    f"{len(false_ok):4d} ({_pct(len(false_ok), len(members))}) {catchable:9d} "
                    f"{counts['NEEDS_REVIEW']:12d} {counts['MISMATCH']:8d} {counts['EXPIRED']:7d} "
                    f"{counts[FAILED] + counts['REJECTED']:6d}"
                )
    total = [c for c in cases if not c.genuine_case]
    if total:
        for mode in modes:
            false_ok = [c for c in total if c.status[mode] == "VERIFIED"]
            rows.append(
                f"{'all forgeries':18s} {'':13s} {mode:9s} {len(total):3d} "
                f"{len(false_ok):4d} ({_pct(len(false_ok), len(total))}) {sum(c.catchable(mode) for c in false_ok):9d}"
            )
    return rows


def method_table(cases: Sequence[Case]) -> list[str]:
    """Painted vs regenerated forgeries in ``rules`` mode: does the file itself give them away?"""
    rows = [f"{'method':15s} {'n':>4s} {'VERIFIED':>8s} {'NEEDS_REVIEW':>12s} {'blocked':>7s}  (rules mode)"]
    by_method: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        if not case.genuine_case and case.rendering != "text_pdf":
            by_method[case.method].append(case)
    for method, members in sorted(by_method.items()):
        counts = Counter(c.status["rules"] for c in members)
        blocked = counts["MISMATCH"] + counts["EXPIRED"] + counts[FAILED] + counts["REJECTED"]
        rows.append(f"{method:15s} {len(members):4d} {counts['VERIFIED']:8d} {counts['NEEDS_REVIEW']:12d} {blocked:7d}")
    return rows


def genuine_table(cases: Sequence[Case], modes: Sequence[str]) -> list[str]:
    """Genuine documents: verified, sent to a person, blocked; seconds per document."""
    rows = [
        f"{'genuine':14s} {'mode':9s} {'n':>3s} {'VERIFIED':>8s} {'to a person':>14s} {'hard-blocked':>12s} "
        f"{'FAILED':>6s} {'median s':>8s} {'p90 s':>6s}"
    ]
    rows.append("-" * len(rows[0]))
    genuine = [c for c in cases if c.genuine_case]
    renderings = list(dict.fromkeys(c.rendering for c in genuine))
    buckets: list[tuple[str, list[Case]]] = [(r, [c for c in genuine if c.rendering == r]) for r in renderings]
    buckets += [
        ("scans+photos", [c for c in genuine if c.rendering != "text_pdf"]),
        ("all", genuine),
    ]
    for name, members in buckets:
        if not members:
            continue
        secs = [c.seconds for c in members]
        for mode in modes:
            counts = Counter(c.status[mode] for c in members)
            blocked = counts["EXPIRED"] + counts["MISMATCH"]
            rows.append(
                f"{name:14s} {mode:9s} {len(members):3d} {counts['VERIFIED']:8d} "
                f"{counts['NEEDS_REVIEW']:6d} ({_pct(counts['NEEDS_REVIEW'], len(members))}) {blocked:12d} "
                f"{counts[FAILED]:6d} {statistics.median(secs):8.2f} {_percentile(secs, 0.9):6.2f}"
            )
    return rows


def _fields_line(case: Case) -> str:
    if case.read is None:
        return f"read: {case.read_error}"
    r = case.read
    return (
        f"read: type={r.doc_type.value if r.doc_type else None} number={r.license_number} holder={r.holder_name} "
        f"uscc={r.uscc} {r.valid_from}..{r.valid_until} conf={r.confidence:.2f} engine={r.engine}"
    )


def _case_title(case: Case) -> str:
    return f"{case.label}/{case.method} {case.doc_type} {case.rendering}"


def listings(cases: Sequence[Case], modes: Sequence[str]) -> list[str]:
    """Every false VERIFIED, every genuine hard block, and why genuine documents went to a person."""
    rows: list[str] = []
    for case in cases:
        if case.genuine_case:
            continue
        bad = [m for m in modes if case.status[m] == "VERIFIED"]
        if not bad:
            continue
        rows.append(
            f"FALSE VERIFIED in {','.join(bad)}: {_case_title(case)} — {case.note} "
            f"(traces: {','.join(sorted(case.traces)) or 'none'})"
        )
        rows.append(f"    {_fields_line(case)}")
        rows += [f"    [{outcome}] {name}: {detail}" for name, outcome, detail in case.checks[bad[0]]]
    for case in cases:
        if not case.genuine_case:
            continue
        blocked = [m for m in modes if case.status[m] in ("EXPIRED", "MISMATCH")]
        if not blocked:
            continue
        rows.append(f"GENUINE {case.status[blocked[0]]} in {','.join(blocked)}: {_case_title(case)}")
        rows.append(
            f"    truth: {case.genuine.license_number} {case.genuine.holder_name} "
            f"{case.genuine.valid_from}..{case.genuine.valid_until}"
        )
        rows.append(f"    {_fields_line(case)}")
        rows += [f"    [{outcome}] {name}: {detail}" for name, outcome, detail in case.checks[blocked[0]]]
    reasons: Counter[str] = Counter()
    for case in cases:
        if case.genuine_case and case.status[modes[0]] == "NEEDS_REVIEW":
            for name, outcome, _ in case.checks[modes[0]]:
                if outcome != "pass":
                    reasons[f"{name} ({case.rendering})"] += 1
    if reasons:
        rows.append(
            f"genuine documents to a person ({modes[0]} mode), checks not passed: "
            + ", ".join(f"{k} ×{v}" for k, v in reasons.most_common())
        )
    return rows


def to_json(cases: Sequence[Case]) -> list[dict[str, Any]]:
    """Every case with its reading, statuses and checks."""
    return [
        {
            "label": c.label,
            "method": c.method,
            "rendering": c.rendering,
            "doc_type": c.doc_type,
            "note": c.note,
            "traces": sorted(c.traces),
            "genuine": c.genuine.to_json_dict(),
            "forged": c.forged.to_json_dict() if c.forged is not None else None,
            "read": c.read.to_json_dict() if c.read is not None else None,
            "read_error": c.read_error,
            "seconds": round(c.seconds, 3),
            "status": c.status,
            "checks": {m: [list(ch) for ch in checks] for m, checks in c.checks.items()},
        }
        for c in cases
    ]


def run(
    n: int,
    seed: int,
    kinds: Sequence[str],
    renderings: Sequence[str],
    today: datetime.date,
    with_genuine: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[Case]:
    """Build, read and verify every case."""
    started = time.perf_counter()
    cases = list(genuine_cases(n, seed, renderings, today)) if with_genuine else []
    cases += list(forgery_cases(n, seed, kinds, renderings, today))
    if progress:
        progress(f"generated {len(cases)} documents in {time.perf_counter() - started:.0f}s")
    registry = build_registry(cases)
    # Warm the OCR engines (text PDFs whose text fails validation are OCRed too), so
    # the timings below are per document, not start-up.
    from tests.docgen import render_scan

    with contextlib.suppress(DocumentError):
        read_document(render_scan(cases[0].genuine, random.Random("warm-up"), "clean"))
    for i, case in enumerate(cases, 1):
        verify_case(case, registry, today, MODES)
        if progress:
            statuses = " ".join(f"{m}={case.status[m]}" for m in MODES)
            progress(f"[{i}/{len(cases)}] {_case_title(case):58s} {case.seconds:5.1f}s {statuses}")
    return cases


def main(argv: Sequence[str] | None = None) -> int:
    """Generate, read, verify and print the tables."""
    from tests.docgen.forge import KINDS, RENDERINGS

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--n", type=int, default=4, help="genuine documents per type and forgeries per kind (9 covers every method)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinds", default=",".join(KINDS), help="forgery kinds (comma-separated)")
    parser.add_argument("--renderings", default=",".join(RENDERINGS))
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=TODAY)
    parser.add_argument("--no-genuine", action="store_true", help="forgeries only")
    parser.add_argument("--json", help="also write every case to this JSON file")
    parser.add_argument("--quiet", action="store_true", help="no per-document lines")
    args = parser.parse_args(argv)

    kinds = [k for k in args.kinds.split(",") if k]
    renderings = [r for r in args.renderings.split(",") if r]
    unknown = (set(kinds) - set(KINDS)) | (set(renderings) - set(RENDERINGS))
    if unknown:
        parser.error(f"unknown kinds or renderings: {sorted(unknown)}")
    say = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    started = time.perf_counter()
    cases = run(args.n, args.seed, kinds, renderings, args.today, not args.no_genuine, say)

    print(
        f"trust bench: seed {args.seed}, n {args.n}, today {args.today}, {len(cases)} documents, "
        f"{time.perf_counter() - started:.0f}s"
    )
    print()
    print("\n".join(forgery_table(cases, MODES)))
    print()
    print("\n".join(method_table(cases)))
    print()
    print("\n".join(genuine_table(cases, MODES)))
    print()
    print("\n".join(listings(cases, MODES)))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(to_json(cases), fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
