"""Forged and contradicted licences through the real upload path: history, the registry
(imported with the CLI, or asked of an outside service over HTTP) and the order gate."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from common.roles import Role
from infra.registry import HttpRegistry
from tests.conftest import unique
from tests.docgen import Truth, render_text_pdf
from tests.integration.test_documents import DOCUMENT, customer_for, fresh_truth, upload
from tests.integration.test_orders import SUBMIT
from verification import CertificateType, DeviceClass, ExtractedFields
from verification.validators import years_after

pytestmark = pytest.mark.integration


def upload_and_read(app_client, gql, token_for, worker, cid: str, truth: Truth, seed: int) -> dict:  # type: ignore[no-untyped-def]
    pdf = render_text_pdf(truth, random.Random(seed))
    result = upload(app_client, token_for(Role.ONBOARDING), cid, f"{unique('doc')}.pdf", pdf, "application/pdf")
    assert result["errors"] == [], result
    worker.drain()
    return gql(DOCUMENT, {"id": result["document"]["id"]})["data"]["document"]


def checks_of(doc: dict) -> dict[str, dict]:
    return {c["name"]: c for c in doc["checks"]}


def upgraded(filing: Truth) -> Truth:
    """A class II filing edited into a class III operation licence: same serial, 备→许."""
    issued = date.today() - timedelta(days=100)
    return replace(
        filing,
        doc_type="operation_license",
        license_number=filing.license_number.replace("经营备", "经营许"),
        valid_from=issued,
        valid_until=years_after(issued, 5),
        device_classes=("II", "III"),
    )


def test_a_filing_edited_into_a_licence_never_unlocks_class_three(app_client, gql, token_for, worker) -> None:  # type: ignore[no-untyped-def]
    filing = fresh_truth("class2_filing", 31)
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } errors { message } } }"
    i = {
        "code": unique("F"),
        "legalName": filing.holder_name,
        "uscc": filing.uscc,
        "type": "DISTRIBUTOR",
        "creditLimit": "1000000",
    }
    cid = gql(q, {"i": i})["data"]["createCustomer"]["customer"]["id"]
    genuine = upload_and_read(app_client, gql, token_for, worker, cid, filing, 1)
    assert genuine["status"] == "VERIFIED", genuine["checks"]

    forged = upload_and_read(app_client, gql, token_for, worker, cid, upgraded(filing), 2)
    assert forged["extracted"]["licenseNumber"] == upgraded(filing).license_number
    assert forged["status"] == "NEEDS_REVIEW", forged["checks"]
    history = checks_of(forged)["history"]
    assert history["outcome"] == "FAIL" and "type_changed" in history["detail"]
    assert [c["type"] for c in forged["customer"]["certificates"]] == ["CLASS2_FILING"]

    category = filing.scope_categories[0]
    lines = [{"sku": "X-1", "deviceClass": "III", "category": category, "quantity": 1, "unitPrice": "100.00"}]
    order = gql(SUBMIT, {"i": {"customerId": cid, "externalRef": unique("PO"), "lines": lines}}, Role.SALES)
    decided = order["data"]["submitOrder"]["order"]
    assert decided["status"] == "HELD"
    assert {"QUALIFICATION_MISSING", "SCOPE_NOT_COVERED"} & set(decided["holdReasons"])


def test_an_end_date_moved_without_a_new_issue_date_goes_to_a_person(app_client, gql, token_for, worker) -> None:  # type: ignore[no-untyped-def]
    truth = fresh_truth("production_license", 41)
    cid = customer_for(gql, truth)
    assert upload_and_read(app_client, gql, token_for, worker, cid, truth, 1)["status"] == "VERIFIED"
    assert truth.valid_until is not None
    moved = replace(truth, valid_until=truth.valid_until - timedelta(days=40))
    doc = upload_and_read(app_client, gql, token_for, worker, cid, moved, 2)
    assert doc["status"] == "NEEDS_REVIEW"
    assert "end_moved" in checks_of(doc)["history"]["detail"]


def run_cli(settings, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "MONGODB_URL": settings.mongodb_url,
        "MONGODB_DB": settings.mongodb_db,
        "MEDCREDIT_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def registry_row(truth: Truth, **changes: object) -> str:
    t = replace(truth, **changes)  # type: ignore[arg-type]
    fields = [
        t.doc_type.upper(),
        t.license_number,
        t.holder_name or "",
        t.uscc or "",
        t.valid_from.isoformat() if t.valid_from else "",
        t.valid_until.isoformat() if t.valid_until else "",
    ]
    return ",".join(fields)


HEADER = "certificate_type,number,holder_name,uscc,valid_from,valid_until"


def test_registry_import_then_a_regenerated_forgery_is_a_mismatch(  # type: ignore[no-untyped-def]
    app_client, gql, token_for, worker, settings, tmp_path: Path
) -> None:
    truth = fresh_truth("operation_license", 57)
    assert truth.valid_until is not None
    # A bad row makes the whole file fail: nothing is imported.
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n{registry_row(truth)}\nOPERATION_LICENSE,not-a-number,某公司,,,\n", encoding="utf-8")
    result = run_cli(settings, "registry", "import", str(bad))
    assert result.returncode == 1 and "bad.csv:3: number 'not-a-number'" in result.stderr
    assert "nothing imported" in result.stdout

    good = tmp_path / "registry.csv"
    good.write_text(f"{HEADER}\n{registry_row(truth, holder_name='旧名称医疗器械有限公司')}\n", encoding="utf-8")
    assert "1 new, 0 replaced" in run_cli(settings, "registry", "import", str(good)).stdout
    # The same number again replaces its record (here: the corrected holder).
    good.write_text(f"{HEADER}\n{registry_row(truth)}\n", encoding="utf-8")
    assert "0 new, 1 replaced" in run_cli(settings, "registry", "import", str(good)).stdout

    cid = customer_for(gql, truth)
    genuine = upload_and_read(app_client, gql, token_for, worker, cid, truth, 1)
    assert genuine["status"] == "VERIFIED", genuine["checks"]
    assert checks_of(genuine)["registry"]["outcome"] == "PASS"

    # Regenerated with one digit of the end date changed, for a new customer (no history).
    forged = replace(truth, valid_until=truth.valid_until - timedelta(days=10))
    doc = upload_and_read(app_client, gql, token_for, worker, cid2(gql, truth), forged, 2)
    assert doc["status"] == "MISMATCH", doc["checks"]
    registry = checks_of(doc)["registry"]
    assert (
        f"valid_until: registry {truth.valid_until.isoformat()}, read {forged.valid_until.isoformat()}"
        in registry["detail"]
    )


def cid2(gql, truth: Truth) -> str:  # type: ignore[no-untyped-def]
    """A second customer record for the same company (another code, no credit code on file)."""
    return customer_for(gql, truth, with_uscc=False)


class FakeVerificationService(BaseHTTPRequestHandler):
    """A local stand-in for a commercial licence-verification service."""

    records: list[dict] = []
    hits: list[dict] = []
    key = "test-key"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        params = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        type(self).hits.append(params)
        if self.headers.get("Authorization") != f"Bearer {self.key}":
            self.send_response(401)
            self.end_headers()
            return
        number = params.get("number")
        found = [r for r in self.records if r["number"] == number or r.get("uscc") == params.get("uscc")]
        body = json.dumps({"records": found}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def verification_service():  # type: ignore[no-untyped-def]
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeVerificationService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeVerificationService.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}/licences"
    server.shutdown()


NUMBER = "苏宁药监械经营许20220089号"
RECORD = {
    "certificate_type": "OPERATION_LICENSE",
    "number": NUMBER,
    "holder_name": "南京康泰医疗器械有限公司",
    "uscc": "91320105MA1XYW8Q5R",
    "valid_from": "2022-05-20",
    "valid_until": "2027-05-19",
}


def read(number: str = NUMBER, until: date = date(2027, 5, 19)) -> ExtractedFields:
    return ExtractedFields(
        doc_type=CertificateType.OPERATION_LICENSE,
        license_number=number,
        holder_name=RECORD["holder_name"],
        valid_from=date(2022, 5, 20),
        valid_until=until,
        device_classes=(DeviceClass.III,),
    )


def test_http_registry_answers_are_compared_and_cached(verification_service) -> None:  # type: ignore[no-untyped-def]
    FakeVerificationService.records = [RECORD]
    registry = HttpRegistry(verification_service, FakeVerificationService.key, timeout=2)

    async def ask(fields: ExtractedFields):  # type: ignore[no-untyped-def]
        return await registry.lookup(fields, holder_uscc=RECORD["uscc"], holder_name=RECORD["holder_name"])

    answer = asyncio.run(ask(read()))
    assert answer.record is not None and answer.record.valid_until == date(2027, 5, 19)
    assert FakeVerificationService.hits[0] == {"number": NUMBER, "uscc": RECORD["uscc"], "type": "OPERATION_LICENSE"}
    asyncio.run(ask(read()))
    assert len(FakeVerificationService.hits) == 1  # the second answer came from the cache
    # A number the service does not list, but the holder's licence it does: related.
    other = asyncio.run(ask(read("苏宁药监械经营许20220098号")))
    assert other.record is None and [r.number for r in other.related] == [NUMBER]


def test_http_registry_outage_is_unavailable_not_a_pass(verification_service) -> None:  # type: ignore[no-untyped-def]
    wrong_key = HttpRegistry(verification_service, "wrong", timeout=2)
    answer = asyncio.run(wrong_key.lookup(read(), holder_uscc=None, holder_name=None))
    assert answer is not None and answer.unavailable and "401" in answer.unavailable
    down = HttpRegistry("http://127.0.0.1:9/licences", None, timeout=0.5)
    answer = asyncio.run(down.lookup(read(), holder_uscc=None, holder_name=None))
    assert answer is not None and answer.record is None and answer.unavailable
