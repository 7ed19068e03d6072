"""The served schema keeps every name and shape of ../shared/api-contract.graphql."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema as build_sdl
from graphql import find_breaking_changes

from schema import build_schema

# The shared contract beside the repository is authoritative; docs/ keeps a copy for
# checkouts without it.
CONTRACT_CANDIDATES = [
    Path(__file__).resolve().parents[3] / "shared" / "api-contract.graphql",
    Path(__file__).resolve().parents[2] / "docs" / "api-contract.graphql",
]


def test_served_schema_has_no_breaking_change_against_the_contract() -> None:
    contract_path = next((p for p in CONTRACT_CANDIDATES if p.exists()), None)
    if contract_path is None:
        pytest.fail("api-contract.graphql not found in docs/ or ../shared/")
    contract = build_sdl(contract_path.read_text())
    served = build_schema()._schema
    changes = find_breaking_changes(contract, served)
    assert [f"{c.type.name}: {c.description}" for c in changes] == []
