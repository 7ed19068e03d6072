"""Limit changes: who changed a customer's credit limit, when, from what, to what and why."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from bson import ObjectId

from store.batch import WriteBatch
from store.connection import Database

LIMIT_CHANGES = "limit_changes"


async def record_limit_change(
    db: Database, customer_id: ObjectId, *, before: Decimal, after: Decimal, actor: str, reason: str, at: datetime
) -> None:
    """Keep one limit change."""
    await db[LIMIT_CHANGES].insert_one(_change(customer_id, before, after, actor, reason, at))


def stage_limit_change(
    batch: WriteBatch, customer_id: ObjectId, *, before: Decimal, after: Decimal, actor: str, reason: str, at: datetime
) -> None:
    """``record_limit_change``, staged in ``batch``."""
    batch.insert(LIMIT_CHANGES, _change(customer_id, before, after, actor, reason, at))


def _change(
    customer_id: ObjectId, before: Decimal, after: Decimal, actor: str, reason: str, at: datetime
) -> dict[str, Any]:
    return {"customer_id": customer_id, "before": before, "after": after, "actor": actor, "reason": reason, "at": at}
