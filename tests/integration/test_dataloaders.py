"""A page of customers with their per-customer fields costs one read per field, not one per row.

The schema runs against the real embedded database through a client whose command
listener counts what is sent; the page's answer must equal each customer's own.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from pymongo import monitoring
from starlette.requests import Request

from infra.principal import Principal
from infra.runtime import open_runtime
from schema import build_schema
from schema.context import Context
from scoring.roles import Role
from store.connection import open_database

pytestmark = pytest.mark.integration

PAGE = """query($n: Int!, $k: Int!) { customers(first: $n, filter: {search: "%s"}) { edges { node {
  id credit { limit exposure } certificates { id } risk { grade } warnings { id }
  documents(first: $k) { totalCount pageInfo { hasNextPage } edges { node { id fileName status } } }
} } } }"""
ONE = """query($id: ID!, $k: Int!) { node(id: $id) { ... on Customer {
  documents(first: $k) { totalCount pageInfo { hasNextPage } edges { node { id fileName status } } }
} } }"""


class Reads(monitoring.CommandListener):
    """Counts the read commands sent, per collection."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in {"find", "aggregate", "count"}:
            self.counts[str(event.command.get(event.command_name))] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def _documents(customer_id: ObjectId, n: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "_id": ObjectId(),
            "customer_id": customer_id,
            "file_name": f"licence-{i}.pdf",
            "content_key": uuid.uuid4().hex,
            "status": "verified" if i % 2 else "needs_review",
            "uploaded_at": now - timedelta(minutes=i),
        }
        for i in range(n)
    ]


async def test_a_page_of_customers_reads_each_field_once(settings: Any) -> None:
    tag = uuid.uuid4().hex[:8]
    reads = Reads()
    async with open_runtime(settings) as base:
        client, db = open_database(settings.mongodb_url, settings.mongodb_db, event_listeners=[reads])
        rt = replace(base, client=client, db=db)
        try:
            customers = [
                {"_id": ObjectId(), "code": f"DL-{tag}-{i}", "legal_name": f"批量{tag}客户{i}", "type": "DISTRIBUTOR"}
                for i in range(12)
            ]
            await db.customers.insert_many(customers)
            # Between none and five documents each: pages that are full, short and empty.
            await db.documents.insert_many([d for i, c in enumerate(customers) for d in _documents(c["_id"], i % 6)])
            schema = build_schema()

            async def run(query: str, variables: dict[str, Any]) -> dict[str, Any]:
                user = Principal(subject="loader-test", roles=frozenset({Role.ADMIN}))
                context = Context(request=Request({"type": "http"}), response=None, runtime=rt, user=user)
                result = await schema.execute(query, variable_values=variables, context_value=context)
                assert result.errors is None, result.errors
                assert result.data is not None
                return result.data

            reads.counts.clear()
            page = await run(PAGE % tag, {"n": 12, "k": 3})
            nodes = [edge["node"] for edge in page["customers"]["edges"]]
            assert len(nodes) == 12
            assert reads.counts["documents"] == 1, reads.counts
            for collection in ("certificates", "warnings", "invoices"):
                assert reads.counts[collection] <= 1, reads.counts

            for node in nodes:
                alone = await run(ONE, {"id": node["id"], "k": 3})
                assert node["documents"] == alone["node"]["documents"]
            sizes = sorted(node["documents"]["totalCount"] for node in nodes)
            assert sizes == sorted(i % 6 for i in range(12))
            assert any(node["documents"]["pageInfo"]["hasNextPage"] for node in nodes)
        finally:
            client.close()
