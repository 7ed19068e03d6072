"""The qualification dossier (审核报告) as a person sees it: downloaded over HTTP and written
by the CLI, rendered to PNG with pdftoppm, its text read back with pdfplumber."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image, ImageStat

from common.roles import Role
from tests.integration.test_documents import fresh_truth
from tests.integration.test_onboarding import onboard

pytestmark = pytest.mark.integration

FILE = """query($id: ID!) { customer(id: $id) { code legalName uscc
  documents(first: 20) { nodes { fileName checks { name outcome } } } } }"""


def rendered_pages(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    """Each page as pdftoppm draws it (what a reader's screen or printer shows)."""
    source = tmp_path / "dossier.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages, "pdftoppm drew no page"
    return [Image.open(p).convert("L") for p in pages]


def page_texts(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


@pytest.fixture(scope="module")
def onboarded(app_client, gql, token_for, worker) -> dict:  # type: ignore[no-untyped-def]
    truth = fresh_truth("operation_license", 181)
    cid = onboard(app_client, gql, token_for, worker, truth, 181)
    customer = gql(FILE, {"id": cid})["data"]["customer"]
    return {"id": cid, "truth": truth, **customer}


def test_the_dossier_over_http_shows_the_customer_documents_checks_and_decisions(  # type: ignore[no-untyped-def]
    app_client, token_for, onboarded, tmp_path: Path
) -> None:
    response = app_client.get(
        f"/customers/{onboarded['id']}/dossier.pdf", headers={"Authorization": f"Bearer {token_for(Role.VIEWER)}"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content

    images = rendered_pages(pdf, tmp_path)
    for image in images:
        assert ImageStat.Stat(image).stddev[0] > 10, "a blank page"
    texts = page_texts(pdf)
    assert len(texts) == len(images)
    whole = "\n".join(texts)
    compact = re.sub(r"\s+", "", whole)
    assert "客户资质审核报告" in compact
    assert onboarded["legalName"] in compact and onboarded["code"] in compact and onboarded["uscc"] in compact
    assert "审核通过" in compact and "首营审核通过" in compact and "首营资料齐全" in compact, (
        "the decision and its note"
    )
    assert "营业执照" in compact and "医疗器械经营许可证" in compact
    assert onboarded["truth"].license_number in compact
    documents = onboarded["documents"]["nodes"]
    assert len(documents) == 2
    for document in documents:
        assert document["fileName"] in compact
        for check in document["checks"]:
            assert check["name"] in compact, f"check {check['name']} not printed"
    # Generation time and the content's SHA-256 on every page.
    for text in texts:
        flat = re.sub(r"\s+", "", text)
        assert re.search(r"内容SHA-256[0-9a-f]{64}", flat), flat[-200:]
        assert re.search(r"生成时间\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", flat)


def test_the_dossier_needs_a_token_and_a_known_customer(app_client, token_for) -> None:  # type: ignore[no-untyped-def]
    assert app_client.get("/customers/cus_000000000000000000000000/dossier.pdf").status_code == 401
    missing = app_client.get(
        "/customers/NO-SUCH-CODE/dossier.pdf", headers={"Authorization": f"Bearer {token_for(Role.SALES)}"}
    )
    assert missing.status_code == 404


def test_the_cli_writes_the_same_dossier_by_customer_code(  # type: ignore[no-untyped-def]
    settings, onboarded, tmp_path: Path
) -> None:
    out = tmp_path / "d.pdf"
    env = {
        **os.environ,
        "MONGODB_URL": settings.mongodb_url,
        "MONGODB_DB": settings.mongodb_db,
        "MEDCREDIT_DATA_DIR": str(settings.data_dir),
        "REDIS_URL": settings.redis_url,
    }
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "dossier", onboarded["code"], "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    compact = re.sub(r"\s+", "", "\n".join(page_texts(out.read_bytes())))
    assert onboarded["legalName"] in compact and "cli:" in compact
    assert rendered_pages(out.read_bytes(), tmp_path)
