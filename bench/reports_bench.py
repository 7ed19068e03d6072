"""Rendering cost of the documents people hand on: the dossier, the monthly risk report and
the exports, on synthetic rows (no database: this measures the renderers alone).

    python -m bench.reports_bench [--customers 2000] [--overdue 5000] [--documents 6]
"""

from __future__ import annotations

import argparse
import io
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bson import ObjectId
from PIL import Image

from api.reports import exports
from api.reports.monthly_pdf import MonthlyData, render_monthly
from common.roles import Role
from infra.render.dossier_pdf import (
    CheckLine,
    Decision,
    DocumentSection,
    DossierData,
    RequirementLine,
    Validity,
    render_dossier,
)
from scoring.reports import AgingBucket, bucket_for
from services import reports as service


def _thumbnail() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (360, 255), "white").save(out, format="PNG")
    return out.getvalue()


def _dossier(documents: int) -> DossierData:
    now = datetime.now(UTC)
    section = DocumentSection(
        "licence.pdf",
        "a" * 64,
        now,
        "onboarding",
        "已核验",
        "医疗器械经营许可证",
        _thumbnail(),
        [("证号", "苏宁药监械经营许20220089号", "“苏宁药监械经营许20220089号” · text-layer · 1.00")] * 8,
        [CheckLine("history", "通过", "agrees with the 1 document(s) held " * 3)] * 12,
        [],
        None,
    )
    return DossierData(
        now,
        "bench",
        "b" * 64,
        [("客户编号", "C-0001")] * 7,
        [("首营状态", "审核通过")] * 6,
        [RequirementLine("营业执照", "满足", "营业执照 91110105MA01ABCD2X")] * 2,
        [section] * documents,
        [Decision(now, "li.na", "首营审核通过", "资料齐全")] * 5,
        [Validity("医疗器械经营许可证", date(2022, 1, 1), date(2027, 1, 1))] * documents,
        now.date(),
    )


def _monthly(customers: int, overdue: int) -> tuple[MonthlyData, list[service.OverdueRow]]:
    rng = random.Random(7)
    today = datetime.now(UTC).date()
    utilisation = [
        service.UtilisationRow(
            ObjectId(),
            f"C{i:05d}",
            "某医疗器械有限公司",
            f"R{i % 8}",
            "DISTRIBUTOR",
            Decimal("100000.00"),
            Decimal(rng.randint(0, 150000)),
            Decimal(0),
            Decimal(rng.randint(0, 150)),
            rng.choice("ABCDE"),
            60.0,
        )
        for i in range(customers)
    ]
    rows = []
    for i in range(overdue):
        days = rng.randint(1, 200)
        rows.append(
            service.OverdueRow(
                ObjectId(),
                f"C{i % customers:05d}",
                "某医疗器械有限公司",
                "R1",
                "DISTRIBUTOR",
                f"INV-{i}",
                today - timedelta(days=days + 60),
                today - timedelta(days=days),
                Decimal("1234.56"),
                Decimal("1234.56"),
                days,
                bucket_for(days),
                Role.FINANCE,
                (Role.FINANCE,),
                str(i),
            )
        )
    risk = service.RiskReportData(
        [(g, customers // 5, Decimal(10**6)) for g in "ABCDE"], [], [], Decimal(1), Decimal(1)
    )
    aging = {f"R{i}": {b: Decimal(rng.randint(0, 10**6)) for b in AgingBucket} for i in range(8)}
    trend = [(today - timedelta(days=30 * i), Decimal(10**7), Decimal(10**6)) for i in reversed(range(12))]
    data = MonthlyData(
        today.strftime("%Y-%m"), today, datetime.now(UTC), "bench", risk, rows, utilisation, aging, trend
    )
    return data, rows


def _timed(label: str, action, repeat: int = 3) -> None:  # type: ignore[no-untyped-def]
    action()  # warm-up: font registration, matplotlib start-up
    best, size = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(action())
        best = min(best, time.perf_counter() - start)
    print(f"{label:<44} {best * 1000:8.0f} ms  {size / 1024:8.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--overdue", type=int, default=5000)
    parser.add_argument("--documents", type=int, default=6)
    args = parser.parse_args()
    dossier = _dossier(args.documents)
    monthly, rows = _monthly(args.customers, args.overdue)
    sheet = [exports.overdue_sheet(rows, monthly.as_of, 1, None)]
    _timed(f"dossier PDF, {args.documents} documents", lambda: render_dossier(dossier))
    _timed(f"monthly PDF, {args.customers} customers, 4 charts", lambda: render_monthly(monthly))
    _timed(f"overdue XLSX, {args.overdue} rows", lambda: exports.to_xlsx(sheet))
    _timed(f"overdue CSV, {args.overdue} rows", lambda: exports.to_csv(sheet))


if __name__ == "__main__":
    main()
