"""A person's feed: the warnings addressed to their roles."""

from __future__ import annotations

from typing import Any

from store.connection import Database
from store.warnings import WARNINGS


async def warnings_for_roles(
    db: Database, roles: list[str] | None, *, active_only: bool, limit: int
) -> list[dict[str, Any]]:
    """Warnings notifying any of ``roles`` (all warnings for None), newest first."""
    query: dict[str, Any] = {}
    if roles is not None:
        query["notify_roles"] = {"$in": roles}
    if active_only:
        query["resolved_at"] = None
    return [doc async for doc in db[WARNINGS].find(query).sort("raised_at", -1).limit(limit)]
