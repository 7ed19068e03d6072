"""OCR accuracy and speed over generated documents, per engine and rendering.

Usage: ``python -m bench.ocr_bench [--n 60] [--seed 1] [--engines rapidocr,tesseract,pipeline]``

For every generated document each engine configuration reads it:
``rapidocr`` and ``tesseract`` alone (with their own preprocessing retries), and
``pipeline`` (RapidOCR first, tesseract and other preparations when a key field fails
validation). Text-layer PDFs never reach an engine, so they are read once. Printed:
exact-match rate per field × configuration × rendering, and seconds per page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from verification.errors import DocumentError
from verification.ocr.base import OcrEngine
from verification.reading import read_document
from verification.types import ExtractedFields

KEY_FIELDS = ("license_number", "holder_name", "uscc", "valid_until")
EXTRA_FIELDS = ("doc_type", "valid_from", "issuing_authority", "scope_categories", "device_classes")
SCAN_RENDERINGS = ("clean", "degraded", "photo", "scan_pdf")
ALL_RENDERINGS = ("text_pdf", *SCAN_RENDERINGS)


def field_matches(truth: Any, fields: ExtractedFields | None) -> dict[str, bool]:
    """Return, per field, whether the reading equals the generator's truth exactly."""
    if fields is None:
        return dict.fromkeys(KEY_FIELDS + EXTRA_FIELDS, False)
    got = fields.to_json_dict()
    want = truth.to_json_dict()
    return {name: got[name] == want[name] for name in KEY_FIELDS + EXTRA_FIELDS}


@dataclass
class Tally:
    """Exact-match counts and timings for one configuration × rendering."""

    n: int = 0
    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, matches: dict[str, bool], secs: float, detail: str) -> None:
        self.n += 1
        self.seconds.append(secs)
        for key, ok in matches.items():
            self.hits[key] += ok
        bad = [k for k in KEY_FIELDS if not matches[k]]
        if bad:
            self.misses.append(f"{name}: {', '.join(bad)} {detail}")

    def rate(self, key: str) -> float:
        return self.hits[key] / self.n if self.n else 0.0

    def merge(self, other: Tally) -> None:
        self.n += other.n
        self.seconds += other.seconds
        self.misses += other.misses
        for key, value in other.hits.items():
            self.hits[key] += value


def configurations(names: Sequence[str]) -> dict[str, Sequence[OcrEngine] | None]:
    """Return engine lists for the named configurations (None = the default pipeline)."""
    from verification.ocr import RapidOcrEngine, TesseractEngine

    known: dict[str, Sequence[OcrEngine] | None] = {
        "rapidocr": [RapidOcrEngine()],
        "tesseract": [TesseractEngine()],
        "pipeline": None,
    }
    return {name: known[name] for name in names}


def run(
    documents: Sequence[Any],
    configs: dict[str, Sequence[OcrEngine] | None],
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[tuple[str, str], Tally]:
    """Read every document with every configuration and tally the results."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for doc in documents:
        names = ["text-layer"] if doc.rendering == "text_pdf" else list(configs)
        for name in names:
            engines = None if name == "text-layer" else configs[name]
            start = time.perf_counter()
            try:
                fields: ExtractedFields | None = read_document(doc.data, engines=engines)
            except DocumentError:
                fields = None
            secs = time.perf_counter() - start
            matches = field_matches(doc.truth, fields)
            detail = ""
            if fields is not None:
                wrong = {k: fields.to_json_dict()[k] for k in KEY_FIELDS if not matches[k]}
                detail = f"read {wrong} want {[getattr(doc.truth, k) for k in wrong]}"
            tallies[(name, doc.rendering)].add(doc.filename, matches, secs, detail)
            if progress:
                ok = all(matches[k] for k in KEY_FIELDS)
                engine = fields.engine if fields else "-"
                progress(f"{doc.filename:48s} {name:10s} {secs:5.1f}s {'ok ' if ok else 'MISS'} {engine}")
    return tallies


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(tallies: dict[tuple[str, str], Tally]) -> str:
    """Return the results as a plain-text table (one row per configuration × rendering)."""
    columns = KEY_FIELDS + EXTRA_FIELDS
    head = f"{'config':11s} {'rendering':14s} {'n':>3s} " + " ".join(f"{c[:12]:>12s}" for c in columns)
    rows = [head + f" {'median s':>8s} {'p90 s':>6s}", "-" * (len(head) + 16)]
    configs = sorted({c for c, _ in tallies})
    for config in configs:
        together = Tally()
        for rendering in ALL_RENDERINGS:
            tally = tallies.get((config, rendering))
            if tally is None:
                continue
            if rendering in SCAN_RENDERINGS:
                together.merge(tally)
            rows.append(_row(config, rendering, tally, columns))
        if together.n and together.n != tallies.get((config, "clean"), Tally()).n:
            rows.append(_row(config, "scans+photos", together, columns))
    for (config, rendering), tally in sorted(tallies.items()):
        for miss in tally.misses:
            rows.append(f"  miss [{config}/{rendering}] {miss}")
    return "\n".join(rows)


def _row(config: str, rendering: str, tally: Tally, columns: Sequence[str]) -> str:
    rates = " ".join(f"{100 * tally.rate(c):11.1f}%" for c in columns)
    med = statistics.median(tally.seconds) if tally.seconds else 0.0
    return f"{config:11s} {rendering:14s} {tally.n:3d} {rates} {med:8.2f} {_percentile(tally.seconds, 0.9):6.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    """Generate documents, read them with each configuration and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="documents to generate (≥ 60)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default="rapidocr,tesseract,pipeline")
    parser.add_argument("--renderings", default=",".join(ALL_RENDERINGS))
    parser.add_argument("--json", help="also write the tallies to this JSON file")
    parser.add_argument("--quiet", action="store_true", help="no per-document lines")
    args = parser.parse_args(argv)

    from tests.docgen import generate_set

    renderings = tuple(args.renderings.split(","))
    documents = generate_set(args.n, args.seed, renderings=renderings)
    configs = configurations(args.engines.split(","))
    say = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    tallies = run(documents, configs, progress=say)
    print(report(tallies))
    if args.json:
        out = {
            f"{c}/{r}": {
                "n": t.n,
                "rates": {k: t.rate(k) for k in KEY_FIELDS + EXTRA_FIELDS},
                "median_s": statistics.median(t.seconds),
                "p90_s": _percentile(t.seconds, 0.9),
                "misses": t.misses,
            }
            for (c, r), t in tallies.items()
        }
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
