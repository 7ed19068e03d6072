"""``python -m bench`` (``make bench``): every benchmark, one after the other."""

from __future__ import annotations

import subprocess
import sys

BENCHES = [
    ["bench.scoring_bench"],
    ["bench.rescoring_sweep", "--customers", "300", "--invoices", "20"],
    ["bench.event_latency", "--producers", "2", "--events", "200"],
    ["bench.notification_latency", "--events", "200"],
    ["bench.subscribers", "--counts", "20,200,1000"],
    ["bench.ocr_bench", "--n", "60"],
    ["bench.trust_bench", "--quiet"],
    ["bench.order_gate"],
    ["bench.core_paths"],
    ["bench.query_cost"],
    ["bench.hostile_memory"],
    ["bench.reports_bench"],
]


def main() -> int:
    status = 0
    for argv in BENCHES:
        print(f"\n== python -m {' '.join(argv)}", flush=True)
        status |= subprocess.call([sys.executable, "-m", *argv])
    return status


if __name__ == "__main__":
    sys.exit(main())
