"""Score history: one entry per customer and day (a rescoring on the same day replaces it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bson import ObjectId

from store import dates
from store.batch import WriteBatch

SCORE_HISTORY = "score_history"


def stage_score(batch: WriteBatch, customer_id: ObjectId, day: date, fields: dict[str, Any]) -> None:
    """Stage keeping the day's score of the customer (``fields``: score, grade, policy version,
    reason); a rescoring on the same day replaces it."""
    batch.update(SCORE_HISTORY, *_day_entry(customer_id, day, fields), upsert=True)


def _day_entry(customer_id: ObjectId, day: date, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"_id": f"{customer_id}:{day.isoformat()}"}, {
        "$set": {"customer_id": customer_id, "day": dates.to_bson(day), **fields}
    }
