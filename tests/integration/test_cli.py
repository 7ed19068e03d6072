"""``medcredit token`` prints a token the running server accepts, with the roles asked for."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from infra.settings import Settings

pytestmark = pytest.mark.integration


def mint(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MEDCREDIT_SECRET": settings.secret_key,
        "MEDCREDIT_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "token", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_token_is_accepted_with_its_roles(app_client: TestClient, settings: Settings) -> None:
    viewer = mint(settings, "--subject", "carol", "--role", "VIEWER")
    assert viewer.returncode == 0, viewer.stderr
    headers = {"Authorization": f"Bearer {viewer.stdout.strip()}"}
    read = app_client.post("/graphql", json={"query": "{ customers { totalCount } }"}, headers=headers)
    assert read.status_code == 200 and "errors" not in read.json()
    write = app_client.post(
        "/graphql",
        json={
            "query": 'mutation { createCustomer(input: {code: "cli", legalName: "x", type: OTHER}) { errors { message } } }'
        },
        headers=headers,
    )
    assert write.status_code == 200
    assert write.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_cli_token_rejects_unknown_role(settings: Settings) -> None:
    result = mint(settings, "--subject", "carol", "--role", "GOD")
    assert result.returncode != 0
    assert "invalid choice" in result.stderr


def test_cli_extract_prints_the_contract_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import random

    from tests.docgen import make_truth, render_scan, render_text_pdf

    truth = make_truth("production_license", random.Random(5))
    cases = [
        ("licence.pdf", render_text_pdf(truth, random.Random(1))),
        ("scan.png", render_scan(truth, random.Random(2), "clean")),
    ]
    for name, data in cases:
        path = tmp_path / name
        path.write_bytes(data)
        result = subprocess.run(
            [sys.executable, "-m", "api.cli", "extract", str(path), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        fields = json.loads(result.stdout)
        assert set(fields) >= {
            "doc_type",
            "license_number",
            "holder_name",
            "uscc",
            "valid_from",
            "valid_until",
            "issuing_authority",
            "scope_categories",
            "confidence",
            "engine",
        }
        assert fields["doc_type"] == "production_license"
        assert fields["license_number"] == truth.license_number
        assert fields["uscc"] == truth.uscc
        assert fields["valid_until"] == (truth.valid_until.isoformat() if truth.valid_until else None)
        assert 0.0 <= fields["confidence"] <= 1.0


def test_cli_extract_refuses_what_is_not_a_document(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.docgen import encrypted_pdf

    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted_pdf())
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "extract", str(path), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "ENCRYPTED" in result.stderr and result.stdout == ""
