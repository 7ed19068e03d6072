"""The schema as an artefact: ``medcredit schema`` prints the served SDL, and
docs/schema.graphql, which codegen tools read, never drifts from what the server serves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from graphql import build_client_schema, build_schema, find_breaking_changes, find_dangerous_changes
from graphql.utilities import get_introspection_query
from starlette.testclient import TestClient

from common.roles import Role

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
CHECKED_IN = ROOT / "docs" / "schema.graphql"


def medcredit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_checked_in_schema_is_what_the_command_prints() -> None:
    printed = medcredit("schema")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == CHECKED_IN.read_text(encoding="utf-8"), (
        "docs/schema.graphql is stale: run 'make schema' (medcredit schema --output docs/schema.graphql)"
    )
    assert medcredit("schema", "--check", str(CHECKED_IN)).returncode == 0


def test_check_fails_on_a_drifted_copy(tmp_path: Path) -> None:
    stale = tmp_path / "schema.graphql"
    stale.write_text(CHECKED_IN.read_text(encoding="utf-8").replace("hasPreviousPage", "hasPrevPage"))
    result = medcredit("schema", "--check", str(stale))
    assert result.returncode == 1 and "differs" in result.stderr


def test_checked_in_schema_matches_the_running_server(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    response = app_client.post(
        "/graphql",
        json={"query": get_introspection_query(descriptions=True)},
        headers={"Authorization": f"Bearer {token_for(Role.VIEWER)}"},
    )
    assert response.status_code == 200, response.text
    served = build_client_schema(response.json()["data"])
    documented = build_schema(CHECKED_IN.read_text(encoding="utf-8"))
    for old, new in ((documented, served), (served, documented)):
        assert find_breaking_changes(old, new) == []
        assert find_dangerous_changes(old, new) == []
    # What codegen tripped over in the old hand-written file.
    assert "code" in documented.get_type("UserError").fields  # type: ignore[union-attr]
