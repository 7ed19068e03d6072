"""When each daily job last ran: one document per job, so a restart never runs it twice a day."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pymongo.errors import DuplicateKeyError

from store.connection import Database

SCHEDULE = "schedule"


async def claim_day(db: Database, job: str, day: date) -> bool:
    """Claim ``day``'s run of ``job``; True for exactly one caller per job and day.

    One atomic upsert: it matches only while the stored day differs, and when the job
    already holds ``day`` the upsert's insert collides on ``_id`` instead. So several
    schedulers, or one restarted with an empty Redis, agree on who runs it.
    """
    try:
        result = await db[SCHEDULE].update_one(
            {"_id": job, "last_day": {"$ne": day.isoformat()}},
            {"$set": {"last_day": day.isoformat(), "claimed_at": datetime.now(UTC)}},
            upsert=True,
        )
    except DuplicateKeyError:
        return False
    return result.modified_count == 1 or result.upserted_id is not None
