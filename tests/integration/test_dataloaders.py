"""A page of customers with their per-customer fields costs one read per field, not one per row.

The schema runs against the real embedded database through a client whose command
listener counts what is sent; the page's answer must equal each customer's own.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from bson import ObjectId
from pymongo import monitoring
from starlette.requests import Request

from common.roles import Role
from infra.principal import Principal
from infra.runtime import open_runtime
from schema import build_schema
from schema.context import Context
from services import credit as credit_service
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


async def _run(rt: Any, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Execute ``query`` as an administrator would, on ``rt``; its data (no errors allowed)."""
    user = Principal(subject="loader-test", roles=frozenset({Role.ADMIN}))
    context = Context(request=Request({"type": "http"}), response=None, runtime=rt, user=user)
    result = await build_schema().execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


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

            reads.counts.clear()
            page = await _run(rt, PAGE % tag, {"n": 12, "k": 3})
            nodes = [edge["node"] for edge in page["customers"]["edges"]]
            assert len(nodes) == 12
            assert reads.counts["documents"] == 1, reads.counts
            for collection in ("certificates", "warnings", "invoices"):
                assert reads.counts[collection] <= 1, reads.counts

            for node in nodes:
                alone = await _run(rt, ONE, {"id": node["id"], "k": 3})
                assert node["documents"] == alone["node"]["documents"]
            sizes = sorted(node["documents"]["totalCount"] for node in nodes)
            assert sizes == sorted(i % 6 for i in range(12))
            assert any(node["documents"]["pageInfo"]["hasNextPage"] for node in nodes)
        finally:
            client.close()


CREDIT_PAGE = """query($n: Int!) { customers(first: $n, filter: {search: "%s"}) { edges { node {
  id credit { exposure available aging { current d1to30 d31to60 d61to90 over90 } }
} } } }"""


async def test_the_credit_column_reads_no_invoices_once_the_ledger_keeps_open_items(settings: Any, gql: Any) -> None:
    tag = uuid.uuid4().hex[:8]
    today = datetime.now(UTC).date()
    create = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"
    invoice = "mutation($i: InvoiceInput!) { recordInvoice(input: $i) { errors { message } } }"
    payment = "mutation($i: PaymentInput!) { recordPayment(input: $i) { errors { message } } }"
    for k in range(3):
        legal = {"code": f"OI-{tag}-{k}", "legalName": f"账龄{tag}公司{k}", "type": "HOSPITAL", "creditLimit": "90000"}
        cid = gql(create, {"i": legal})["data"]["createCustomer"]["customer"]["id"]
        for n, (amount, overdue) in enumerate([("1000.10", -3), ("2500.00", 20 + k), ("700.55", 75), ("90.00", 140)]):
            due = today - timedelta(days=overdue)
            fields = {
                "customerId": cid,
                "number": f"OI-{tag}-{k}-{n}",
                "amount": amount,
                "issuedOn": (due - timedelta(days=30)).isoformat(),
                "dueOn": due.isoformat(),
            }
            assert gql(invoice, {"i": fields})["data"]["recordInvoice"]["errors"] == []
        paid = {
            "customerId": cid,
            "reference": f"P-{tag}-{k}",
            "amount": "300.00",
            "receivedOn": today.isoformat(),
            "invoiceNumbers": [f"OI-{tag}-{k}-2"],
        }
        assert gql(payment, {"i": paid})["data"]["recordPayment"]["errors"] == []

    reads = Reads()
    async with open_runtime(settings) as base:
        client, db = open_database(settings.mongodb_url, settings.mongodb_db, event_listeners=[reads])
        rt = replace(base, client=client, db=db)
        try:
            context = Context(
                request=Request({"type": "http"}),
                response=None,
                runtime=rt,
                user=Principal(subject="loader-test", roles=frozenset({Role.ADMIN})),
            )
            result = await build_schema().execute(CREDIT_PAGE % tag, variable_values={"n": 10}, context_value=context)
            assert result.errors is None and result.data is not None, result.errors
            nodes = [edge["node"] for edge in result.data["customers"]["edges"]]
            assert len(nodes) == 3
            assert reads.counts["invoices"] == 0, reads.counts
            for node in nodes:
                oid = ObjectId(node["id"].split("_", 1)[1])
                customer = await db.customers.find_one({"_id": oid})
                invoices = [d async for d in db.invoices.find({"customer_id": oid, "open": True})]
                from_invoices = credit_service.profile_from(customer, invoices, today)
                aging = {k: Decimal(v) for k, v in node["credit"]["aging"].items()}
                assert aging == {
                    "current": from_invoices.aging.current,
                    "d1to30": from_invoices.aging.d1to30,
                    "d31to60": from_invoices.aging.d31to60,
                    "d61to90": from_invoices.aging.d61to90,
                    "over90": from_invoices.aging.over90,
                }
                assert aging["d61to90"] == Decimal("400.55")  # the payment reached the stored items
        finally:
            client.close()


ROWS_PAGE = """query($tag: String!) { customers(first: 20, filter: {search: $tag}) {
  nodes { ...Row all: warnings(activeOnly: false) { kind } }
  edges { node { id certificates { number } } } } }
fragment Row on Customer { id risk { grade } certificates { number type } warnings { kind severity }
  credit { exposure aging { over90 } } }"""
ROW_ALONE = """query($id: ID!) { node(id: $id) { ... on Customer { id risk { grade } certificates { number type }
  warnings { kind severity } all: warnings(activeOnly: false) { kind } credit { exposure aging { over90 } } } } }"""


async def test_a_page_prefetches_what_its_rows_ask_and_answers_as_each_customer_alone(settings: Any) -> None:
    """``schema.prefetch``: rows resolve from the page's loads, through fragments, ``nodes`` and arguments."""
    tag = uuid.uuid4().hex[:8]
    reads = Reads()
    now = datetime.now(UTC)
    async with open_runtime(settings) as base:
        client, db = open_database(settings.mongodb_url, settings.mongodb_db, event_listeners=[reads])
        rt = replace(base, client=client, db=db)
        try:
            customers = [
                {"_id": ObjectId(), "code": f"PF-{tag}-{i}", "legal_name": f"预取{tag}客户{i}", "type": "DISTRIBUTOR"}
                for i in range(6)
            ]
            await db.customers.insert_many(customers)
            await db.certificates.insert_many(
                [
                    {"customer_id": c["_id"], "key": f"{c['_id']}:{t}", "type": t, "number": f"N-{i}-{t}"}
                    for i, c in enumerate(customers)
                    for t in ("business_license", "operation_license")[: i % 3]
                ]
            )
            await db.warnings.insert_many(
                [
                    {
                        "customer_id": c["_id"],
                        "kind": kind,
                        "severity": "HIGH",
                        "message": "m",
                        "notify_roles": [],
                        "raised_at": now,
                        "resolved_at": now if resolved else None,
                    }
                    for i, c in enumerate(customers)
                    for kind, resolved in (("OVERDUE", False), ("EXPIRING", True))[: i % 3]
                ]
            )

            reads.counts.clear()
            page = await _run(rt, ROWS_PAGE, {"tag": tag})
            assert reads.counts["certificates"] == 1 and reads.counts["warnings"] == 2, reads.counts
            rows = page["customers"]["nodes"]
            assert len(rows) == 6 and [e["node"]["id"] for e in page["customers"]["edges"]] == [r["id"] for r in rows]
            for row in rows:
                alone = (await _run(rt, ROW_ALONE, {"id": row["id"]}))["node"]
                assert row == alone
            assert sum(len(r["all"]) for r in rows) > sum(len(r["warnings"]) for r in rows), "resolved ones too"
        finally:
            client.close()
