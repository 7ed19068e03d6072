"""Worker peak memory per hostile upload: ``python -m bench.hostile_memory``.

Each file is handled in a fresh process exactly as the system does: the upload check
(``verification.files.sniff`` with the default limits) and, if it is accepted, the
worker's full reading (``verification.reading.read_document``: rendering, OCR with
both engines as needed). Reports the process's peak resident memory (ru_maxrss) and
what happened. The files are the issue's (5000-pt PDF pages, a 176-megapixel PNG)
and the largest ones the limits still accept.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from collections.abc import Callable


def _files() -> list[tuple[str, Callable[[], bytes]]]:
    from tests.hostile import huge_page_pdf, huge_png

    def phone_photo() -> bytes:
        import random

        from tests.docgen import make_truth, render_scan

        return render_scan(make_truth("operation_license", random.Random(5)), random.Random(5), "photo")

    return [
        ("a real licence photo (baseline: OCR models loaded)", phone_photo),
        ("PDF, 3 pages of 5000 x 5000 pt", lambda: huge_page_pdf(3, 5000)),
        ("PNG, 13300 x 13300 (176 MP)", lambda: huge_png(13_300, 13_300)),
        ("PDF, 10 pages of 1990 x 1990 pt (at the limit)", lambda: huge_page_pdf(10, 1990)),
        ("PNG, 5000 x 5000 (25 MP, at the limit)", lambda: huge_png(5000, 5000)),
    ]


def _handle(index: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from verification.errors import DocumentError
    from verification.files import sniff
    from verification.reading import read_document

    name, make = _files()[index]
    data = make()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        sniff(data)
        read_document(data)
        outcome = "read"
    except DocumentError as exc:
        outcome = f"refused: {exc.code.name}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.put((name, len(data), outcome, base / 1024, peak / 1024, time.perf_counter() - start))


def main() -> int:
    argparse.ArgumentParser(description=__doc__).parse_args()
    ctx = multiprocessing.get_context("spawn")
    print(f"{'file':50s} {'bytes':>8s} {'peak MB':>8s} {'s':>6s}  outcome")
    worst = 0.0
    for index in range(len(_files())):
        queue = ctx.Queue()
        proc = ctx.Process(target=_handle, args=(index, queue))
        proc.start()
        name, size, outcome, _base, peak, seconds = queue.get(timeout=900)
        proc.join()
        worst = max(worst, peak)
        print(f"{name:50s} {size:8d} {peak:8.0f} {seconds:6.1f}  {outcome}")
    print(f"worst peak: {worst:.0f} MB (limit 1024 MB)")
    return 0 if worst <= 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
