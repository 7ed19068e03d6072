"""A person's feed: what their roles are told, what still waits for someone to look first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from common.roles import Role
from infra.runtime import Runtime
from scoring.codes import Severity
from store import feed as store

# The most warnings the feed reads; enough for a working day of a large book.
MAX_FEED = 500


async def my_warnings(
    rt: Runtime, roles: Iterable[Role], *, active_only: bool = True, limit: int = 100
) -> list[dict[str, Any]]:
    """The warnings notifying any of ``roles`` (ADMIN: all): unacknowledged first, then the
    most severe, then the newest."""
    held = {Role(r) for r in roles}
    names = None if Role.ADMIN in held else sorted(r.value for r in held)
    docs = await store.warnings_for_roles(rt.db, names, active_only=active_only, limit=MAX_FEED)
    docs.sort(key=lambda d: (d.get("acknowledged_at") is not None, -Severity(d["severity"]).rank))
    return docs[: max(0, min(limit, MAX_FEED))]
