"""Work asked for while the broker is down is kept in the outbox and sent later, not lost."""

from __future__ import annotations

import asyncio

import pytest

from infra.queue import TaskQueue
from store.connection import open_database
from tests.conftest import unique

pytestmark = pytest.mark.integration


def test_message_made_while_broker_is_down_is_delivered_later(gql, settings, worker) -> None:  # type: ignore[no-untyped-def]
    q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }"
    cid = gql(q, {"i": {"code": unique("OB"), "legalName": "离线测试有限公司", "type": "AGENT"}})["data"][
        "createCustomer"
    ]["customer"]["id"]

    async def scenario() -> tuple[bool, int, int]:
        client, db = open_database(settings.mongodb_url, settings.mongodb_db)
        try:
            down = TaskQueue("redis://127.0.0.1:1/0")  # nothing listens on port 1
            accepted = await down.send(db, "rescore_customer", cid[4:], "while the broker was down")
            pending = await db.outbox.count_documents({"sent": False, "args.0": cid[4:]})
            up = TaskQueue(settings.redis_url)
            sent = await up.flush_outbox(db)
            up.close()
            return accepted, pending, sent
        finally:
            client.close()

    accepted, pending, sent = asyncio.run(scenario())
    assert accepted is False and pending == 1 and sent >= 1
    worker.drain()
    risk = gql("query($id: ID!) { customer(id: $id) { risk { grade } } }", {"id": cid})["data"]["customer"]["risk"]
    assert risk is not None, "the worker scored the customer from the re-sent message"
