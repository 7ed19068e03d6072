"""Reports people hand on: overdueInvoices and creditUtilisation over GraphQL, their CSV and
XLSX exports (opened with openpyxl, totals equal to the API's to the cent), the risk report's
export, the CLI, and the monthly risk report PDF rendered to PNG and read back."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from PIL import Image, ImageStat

from common.roles import Role
from tests.conftest import unique

pytestmark = pytest.mark.integration

OVERDUE = """query($region: String, $first: Int, $after: String, $asOf: Date) {
  overdueInvoices(region: $region, first: $first, after: $after, asOf: $asOf) {
    totalCount totalAmountOpen pageInfo { hasNextPage endCursor }
    edges { node { invoiceNumber amount amountOpen daysOverdue bucket assignedRole notifyRoles
                   customer { code region } } } } }"""
UTILISATION = """query($first: Int, $after: String) { creditUtilisation(first: $first, after: $after) {
  totalCount totalLimit totalExposure pageInfo { hasNextPage endCursor }
  edges { node { limit exposure available utilisationPercent grade customer { code } } } } }"""
RISK = "{ riskReport { totalExposure totalOverdue byRegion { key customers exposure overdue } } }"
TODAY = datetime.now(UTC).date()


def cents(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def customer(gql, region: str, limit: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    code = unique("RPT")
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } errors { message } } }"
    i = {
        "code": code,
        "legalName": f"报表测试医疗器械有限公司{code[-4:]}",
        "type": "DISTRIBUTOR",
        "region": region,
        "creditLimit": limit,
    }
    body = gql(q, {"i": i}, Role.CREDIT_MANAGER)["data"]["createCustomer"]
    assert body["errors"] == [], body
    return body["customer"]["id"], code


def invoice(gql, cid: str, number: str, amount: str, due_days_ago: int) -> None:  # type: ignore[no-untyped-def]
    due = TODAY - timedelta(days=due_days_ago)
    q = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { message } } }"
    i = {
        "customerId": cid,
        "number": number,
        "amount": amount,
        "issuedOn": (due - timedelta(days=60)).isoformat(),
        "dueOn": due.isoformat(),
    }
    assert gql(q, {"i": i}, Role.FINANCE)["data"]["recordInvoice"]["errors"] == []


def pay(gql, cid: str, reference: str, amount: str, numbers: list[str]) -> None:  # type: ignore[no-untyped-def]
    q = "mutation($i: PaymentInput!) { recordPayment(input: $i) { errors { message } } }"
    i = {
        "customerId": cid,
        "reference": reference,
        "amount": amount,
        "receivedOn": TODAY.isoformat(),
        "invoiceNumbers": numbers,
    }
    assert gql(q, {"i": i}, Role.FINANCE)["data"]["recordPayment"]["errors"] == []


@pytest.fixture(scope="module")
def book(gql, worker) -> dict:  # type: ignore[no-untyped-def]
    region = unique("华东")
    first, first_code = customer(gql, region, "100000.00")
    second, second_code = customer(gql, region, "20000.00")
    invoice(gql, first, "INV-1", "12345.67", 500)  # over 90 days: executives
    invoice(gql, first, "INV-2", "1000.10", 45)  # 31-60: finance
    invoice(gql, second, "INV-3", "8000.00", 10)  # 1-30: sales
    invoice(gql, second, "INV-4", "999.99", -5)  # not yet due
    pay(gql, second, "PAY-1", "3000.00", ["INV-3"])
    worker.drain()
    return {"region": region, "codes": {first_code, second_code}, "first": first_code, "second": second_code}


def get(app_client, token_for, path: str, role: Role = Role.FINANCE):  # type: ignore[no-untyped-def]
    response = app_client.get(path, headers={"Authorization": f"Bearer {token_for(role)}"})
    assert response.status_code == 200, response.text
    return response


def test_overdue_invoices_pages_and_its_exports_agree_to_the_cent(app_client, gql, token_for, book) -> None:  # type: ignore[no-untyped-def]
    nodes, after = [], None
    while True:
        page = gql(OVERDUE, {"region": book["region"], "first": 2, "after": after})["data"]["overdueInvoices"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert page["totalCount"] == 3 and page["totalAmountOpen"] == "18345.77"  # 12345.67 + 1000.10 + 5000.00
    assert [(n["invoiceNumber"], n["amountOpen"], n["daysOverdue"], n["bucket"], n["assignedRole"]) for n in nodes] == [
        ("INV-1", "12345.67", 500, "OVER90", "EXECUTIVE"),
        ("INV-2", "1000.10", 45, "D31TO60", "FINANCE"),
        ("INV-3", "5000.00", 10, "D1TO30", "SALES"),
    ]
    as_of = (TODAY + timedelta(days=10)).isoformat()
    later = gql(OVERDUE, {"region": book["region"], "asOf": as_of})["data"]["overdueInvoices"]
    assert later["totalCount"] == 4, "INV-4 is 5 days overdue ten days from now"

    book_xlsx = openpyxl.load_workbook(
        io.BytesIO(get(app_client, token_for, f"/reports/overdue-invoices.xlsx?region={book['region']}").content)
    )
    sheet = book_xlsx["逾期账款明细"]
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert headers[:4] == ("客户编号", "客户名称", "地区", "客户类型") and "未收金额" in headers
    total = next(r for r in rows if r[0] == "合计")
    column = headers.index("未收金额")
    assert cents(total[column]) == Decimal(page["totalAmountOpen"])
    body = [r for r in rows[1:] if r[0] in book["codes"]]
    assert len(body) == page["totalCount"]
    assert sum(cents(r[column]) for r in body) == Decimal(page["totalAmountOpen"])
    assert body[0][headers.index("负责角色")] == "管理层" and body[0][headers.index("账龄区间")] == "逾期90天以上"

    text = get(app_client, token_for, f"/reports/overdueInvoices.csv?region={book['region']}").content.decode(
        "utf-8-sig"
    )
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][0] == "客户编号"
    assert next(r for r in table if r[0] == "合计")[column] == page["totalAmountOpen"]


def test_credit_utilisation_and_its_export_agree_to_the_cent(app_client, gql, token_for, book) -> None:  # type: ignore[no-untyped-def]
    first = gql(UTILISATION, {"first": 100})["data"]["creditUtilisation"]
    mine = {}
    after, nodes = None, []
    while True:
        page = gql(UTILISATION, {"first": 40, "after": after})["data"]["creditUtilisation"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(nodes) == first["totalCount"] and len({n["customer"]["code"] for n in nodes}) == len(nodes)
    mine = {n["customer"]["code"]: n for n in nodes if n["customer"]["code"] in book["codes"]}
    # Exposure is open receivables: 13345.77 of 100000 and 5999.99 of 20000.
    assert mine[book["first"]]["exposure"] == "13345.77" and mine[book["first"]]["utilisationPercent"] == "13.35"
    assert mine[book["second"]]["exposure"] == "5999.99" and mine[book["second"]]["utilisationPercent"] == "30.00"
    percents = [Decimal(n["utilisationPercent"]) for n in nodes if n["utilisationPercent"] is not None]
    assert percents == sorted(percents, reverse=True)

    workbook = openpyxl.load_workbook(
        io.BytesIO(get(app_client, token_for, "/reports/credit-utilisation.xlsx").content)
    )
    rows = list(workbook["额度使用分析"].iter_rows(values_only=True))
    headers = rows[0]
    total = next(r for r in rows if r[0] == "合计")
    assert cents(total[headers.index("信用额度")]) == Decimal(first["totalLimit"])
    assert cents(total[headers.index("敞口")]) == Decimal(first["totalExposure"])
    assert len(rows) - 2 == first["totalCount"]


def test_the_risk_report_export_carries_the_same_totals(app_client, gql, token_for, book) -> None:  # type: ignore[no-untyped-def]
    report = gql(RISK)["data"]["riskReport"]
    workbook = openpyxl.load_workbook(io.BytesIO(get(app_client, token_for, "/reports/riskReport.xlsx").content))
    assert workbook.sheetnames == ["按风险等级", "按地区", "按客户类型", "合计"]
    totals = {r[0]: r[1] for r in workbook["合计"].iter_rows(min_row=2, values_only=True)}
    assert cents(totals["总敞口"]) == Decimal(report["totalExposure"])
    assert cents(totals["总逾期"]) == Decimal(report["totalOverdue"])
    region = next(g for g in report["byRegion"] if g["key"] == book["region"])
    row = next(r for r in workbook["按地区"].iter_rows(values_only=True) if r[0] == book["region"])
    assert (row[1], cents(row[2]), cents(row[3])) == (
        region["customers"],
        Decimal(region["exposure"]),
        Decimal(region["overdue"]),
    )


def test_the_monthly_risk_report_pdf_as_a_person_sees_it(app_client, token_for, book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf = get(app_client, token_for, "/reports/monthly-risk.pdf", Role.EXECUTIVE).content
    (tmp_path / "m.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / "m.pdf"), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 3
    for page in pages:
        assert ImageStat.Stat(Image.open(page).convert("L")).stddev[0] > 10
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        texts = [p.extract_text() or "" for p in document.pages]
        charts = sum(len(p.images) for p in document.pages)
    assert charts == 4, "grade distribution, aging by region, utilisation histogram, 12-month trend"
    whole = re.sub(r"\s+", "", "\n".join(texts))
    for title in (
        "月度风险报告",
        "风险等级分布",
        "各地区应收账龄",
        "额度使用率分布",
        "近12个月应收敞口与逾期趋势",
        "逾期账款明细",
    ):
        assert title in whole, title
    assert book["first"] in whole and "INV-1" in whole, "the 500-day overdue invoice heads the detail list"
    months = re.findall(r"\d{4}-\d{2}(?=[\d,]+\.\d{2}[\d,]+\.\d{2})", whole)
    assert len(months) == 12 and months[-1] == TODAY.strftime("%Y-%m")


def test_bad_report_requests_are_the_callers_mistake(app_client, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for(Role.VIEWER)}"}
    assert app_client.get("/reports/risk-report.xlsx").status_code == 401
    assert app_client.get("/reports/nothing.csv", headers=headers).status_code == 400
    assert app_client.get("/reports/risk-report.pdf", headers=headers).status_code == 400
    assert app_client.get("/reports/overdue-invoices.csv?asOf=soon", headers=headers).status_code == 400


def test_the_cli_exports_the_same_sheet(settings, gql, book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "o.xlsx"
    env = {
        **os.environ,
        "MONGODB_URL": settings.mongodb_url,
        "MONGODB_DB": settings.mongodb_db,
        "MEDCREDIT_DATA_DIR": str(settings.data_dir),
        "REDIS_URL": settings.redis_url,
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.cli",
            "report",
            "overdue-invoices",
            "--format",
            "xlsx",
            "--region",
            book["region"],
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    rows = list(openpyxl.load_workbook(out)["逾期账款明细"].iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == "合计")
    expected = gql(OVERDUE, {"region": book["region"]})["data"]["overdueInvoices"]["totalAmountOpen"]
    assert cents(total[rows[0].index("未收金额")]) == Decimal(expected)
