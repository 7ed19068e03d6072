"""The onboarding part of customer documents (``customers.onboarding``) and the staff's queue."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from store.connection import Database
from store.paging import Page, SortKey, Window, read_page

COLLECTION = "customers"
# A customer created before its first assessment has no onboarding yet: it is incomplete.
NEVER_ASSESSED = "INCOMPLETE"


async def set_onboarding(
    db: Database, customer_id: ObjectId, fields: dict[str, Any], review: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """Set ``onboarding.*`` fields (dotted keys) and append a review decision; returns the customer."""
    update: dict[str, Any] = {"$set": fields}
    if review is not None:
        update["$push"] = {"onboarding.reviews": review}
    await db[COLLECTION].update_one({"_id": customer_id}, update)
    return await db[COLLECTION].find_one({"_id": customer_id})


def queue_filter(status: str | None) -> dict[str, Any]:
    """The queue's filter for an onboarding status (all without one); INCOMPLETE includes the never assessed."""
    if status is None:
        return {}
    if status == NEVER_ASSESSED:
        return {"$or": [{"onboarding.status": status}, {"onboarding.status": {"$exists": False}}]}
    return {"onboarding.status": status}


async def page_queue(db: Database, status: str | None, sort: SortKey, window: Window, default_size: int) -> Page:
    """One page of customers whose stored onboarding status is ``status`` (all when None)."""
    return await read_page(db[COLLECTION], queue_filter(status), sort, window, default_size)
