"""``medcredit demo``: a realistic demo data set loaded through the public GraphQL API.

Customers of every type across regions, a year of invoices and payments with four
payment behaviours (prompt, slow, chronic late, defaulting), licence scans for each
customer (rendered by the test-document generator when this is a source checkout),
and a few orders. Everything is keyed (customer codes, invoice numbers, order refs),
so running it twice changes nothing the second time, and says what it skipped.
"""

from __future__ import annotations

import json
import random
import sys
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from api.auth import mint_token
from common.roles import Role
from infra.progress import Progress
from infra.settings import load_settings

BEHAVIOURS = {"prompt": (0, 3), "slow": (10, 25), "late": (35, 70), "defaulting": (None, None)}
TYPES = {
    "operation_license": "DISTRIBUTOR",
    "class2_filing": "RETAILER",
    "production_license": "MANUFACTURER",
    "medical_institution_license": "HOSPITAL",
}
CREATE = """mutation($i: CreateCustomerInput!) {
  createCustomer(input: $i) { customer { id } errors { code message } } }"""
FIND = """query($s: String!) { customers(first: 1, filter: {search: $s}) { edges { node { id } } } }"""
INVOICE = """mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { code message } } }"""
PAYMENT = """mutation($i: PaymentInput!) { recordPayment(input: $i) { errors { code message } } }"""
ORDER = """mutation($i: SubmitOrderInput!) {
  submitOrder(input: $i) { order { status holdReasons } errors { code message } } }"""
DOCUMENTS = """query($id: ID!) { customer(id: $id) { documents(first: 0) { totalCount } } }"""
UPLOAD = """mutation($c: ID!, $f: Upload!) { uploadQualificationDocument(customerId: $c, file: $f) {
  document { id status } errors { code message } } }"""


class Tally:
    """What a run added and what it found already there, per kind of record."""

    KINDS = ("customers", "invoices", "payments", "licence scans", "orders")

    def __init__(self) -> None:
        self.added = dict.fromkeys(self.KINDS, 0)
        self.skipped = dict.fromkeys(self.KINDS, 0)
        self.failed: list[str] = []

    def count(self, kind: str, errors: list[dict[str, Any]], what: str) -> None:
        """Count one mutation's outcome: new, already recorded (skipped), or refused."""
        codes = {e.get("code") for e in errors}
        if not errors:
            self.added[kind] += 1
        elif codes & {"ALREADY_RECORDED", "DUPLICATE"}:
            self.skipped[kind] += 1
        else:
            self.failed.append(f"{what}: {errors[0].get('message')}")

    def summary(self) -> str:
        added = ", ".join(f"{n} {k}" for k, n in self.added.items())
        skipped = ", ".join(f"{n} {k}" for k, n in self.skipped.items() if n)
        lines = [f"added: {added}"]
        lines.append(f"skipped (already there): {skipped}" if skipped else "skipped: nothing, all new")
        if self.failed:
            lines.append(f"refused: {len(self.failed)}, e.g. {self.failed[0]}")
        return "\n".join("  " + line for line in lines)


class DemoClient:
    def __init__(self, url: str, token: str) -> None:
        self._http = httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"})
        self._url = url

    def call(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = self._http.post(self._url, json={"query": query, "variables": variables})
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"][0]["message"])
        return body["data"]

    def upload(self, customer_id: str, name: str, data: bytes, mime: str) -> dict[str, Any]:
        operations = {"query": UPLOAD, "variables": {"c": customer_id, "f": None}}
        response = self._http.post(
            self._url,
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
            files={"0": (name, data, mime)},
        )
        response.raise_for_status()
        return response.json()["data"]["uploadQualificationDocument"]


def _generator() -> Any | None:
    # The generator lives with the tests; a source checkout has it, the image does not.
    checkout = str(Path(__file__).resolve().parents[1])
    if checkout not in sys.path:
        sys.path.append(checkout)
    try:
        import tests.docgen as docgen
    except ImportError:
        return None
    return docgen


def _customer(client: DemoClient, tally: Tally, code: str, truth: Any, ctype: str, region: str, limit: Decimal) -> str:
    created = client.call(
        CREATE,
        {
            "i": {
                "code": code,
                "legalName": truth.holder_name,
                "uscc": truth.uscc,
                "type": ctype,
                "region": region,
                "creditLimit": str(limit),
                "paymentTermDays": 60,
                "attributes": {
                    "customer_since": (
                        date.today() - timedelta(days=400 + zlib.crc32(code.encode()) % 1500)
                    ).isoformat(),
                    "sales_rep": random.Random(code).choice(["王芳", "李强", "张伟", "刘洋"]),
                },
            }
        },
    )["createCustomer"]
    tally.count("customers", created["errors"], code)
    if created["customer"]:
        return str(created["customer"]["id"])
    return str(client.call(FIND, {"s": code})["customers"]["edges"][0]["node"]["id"])


def _ledger(
    client: DemoClient, tally: Tally, cid: str, rng: random.Random, behaviour: str, monthly: Decimal, today: date
) -> None:
    low, high = BEHAVIOURS[behaviour]
    # Newest first: while history is still arriving, the scorecard sees recent months
    # complete rather than a long-ago start with nothing since (see monthly_volumes).
    for month in range(1, 13):
        issued = today - timedelta(days=30 * month + rng.randint(0, 10))
        due = issued + timedelta(days=60)
        amount = (monthly * Decimal(rng.uniform(0.7, 1.3))).quantize(Decimal("0.01"))
        number = f"INV-{issued:%Y%m}-{cid[-4:]}"
        recorded = client.call(
            INVOICE,
            {
                "i": {
                    "customerId": cid,
                    "number": number,
                    "amount": str(amount),
                    "issuedOn": issued.isoformat(),
                    "dueOn": due.isoformat(),
                }
            },
        )
        tally.count("invoices", recorded["recordInvoice"]["errors"], number)
        if low is None and month <= 5:
            continue  # a defaulting customer stopped paying five months ago
        paid_on = due + timedelta(days=rng.randint(low or 0, high or 0))
        if paid_on <= today:
            paid = client.call(
                PAYMENT,
                {
                    "i": {
                        "customerId": cid,
                        "reference": f"PAY-{number}",
                        "amount": str(amount),
                        "receivedOn": paid_on.isoformat(),
                        "invoiceNumbers": [number],
                    }
                },
            )
            tally.count("payments", paid["recordPayment"]["errors"], f"PAY-{number}")


def load_demo(url: str, *, customers: int = 24, seed: int = 2026) -> int:
    """Load the demo set through the API at ``url``; returns a process exit status."""
    settings = load_settings()
    client = DemoClient(url, mint_token(settings.secret_key, "demo-loader", [Role.ADMIN], 1))
    docgen = _generator()
    if docgen is None:
        print(
            "medcredit demo: run it from a source checkout: the licences come from tests/docgen",
            file=sys.stderr,
        )
        return 2
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    behaviours = list(BEHAVIOURS)
    tally = Tally()
    progress = Progress(customers, "medcredit demo")
    for index in range(customers):
        doc_type = list(TYPES)[index % len(TYPES)]
        truth = docgen.make_truth(doc_type, random.Random(seed * 1000 + index))
        if truth.valid_until is not None and truth.valid_until < today + timedelta(days=30) and index % 6:
            truth = replace(truth, valid_until=today + timedelta(days=rng.randint(20, 1500)))
        behaviour = behaviours[index % len(behaviours)]
        monthly = Decimal(rng.choice([20000, 50000, 120000, 300000]))
        region = truth.issuing_authority[:2] if truth.issuing_authority else "其他"
        cid = _customer(client, tally, f"DEMO-{index:03d}", truth, TYPES[doc_type], region, monthly * 2)
        _ledger(client, tally, cid, rng, behaviour, monthly, today)
        rendering = "text_pdf" if index % 3 else rng.choice(["clean", "degraded", "photo"])
        if client.call(DOCUMENTS, {"id": cid})["customer"]["documents"]["totalCount"]:
            tally.skipped["licence scans"] += 1  # rendering a scan takes a while: skip it outright
        else:
            data = docgen.render(truth, rendering, random.Random(index))
            mime = {"text_pdf": "application/pdf", "clean": "image/png"}.get(rendering, "image/jpeg")
            uploaded = client.upload(cid, f"{doc_type}-{index}.{mime.split('/')[1]}", data, mime)
            tally.count("licence scans", uploaded["errors"], f"licence of DEMO-{index:03d}")
        line = {
            "sku": f"DEV-{index}",
            "deviceClass": rng.choice(["I", "II", "III"]),
            "category": rng.choice(list(truth.scope_categories) or ["06"]),
            "quantity": rng.randint(1, 20),
            "unitPrice": str(rng.choice([800, 2500, 12000])),
        }
        ordered = client.call(
            ORDER,
            {"i": {"customerId": cid, "externalRef": f"DEMO-PO-{index:03d}", "lines": [line]}},
        )
        tally.count("orders", ordered["submitOrder"]["errors"], f"DEMO-PO-{index:03d}")
        progress.advance(f"{truth.holder_name}: {behaviour} payer")
    print(f"medcredit demo: {customers} customers done", flush=True)
    print(tally.summary(), flush=True)
    if any(tally.added.values()):
        print("The workers are reading licences and scoring now.", flush=True)
    return 1 if tally.failed else 0
