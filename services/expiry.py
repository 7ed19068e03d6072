"""The expiry watch: certificates that lapse are marked expired; those near their end
(and lapsed ones) get their customers rescored, which raises the reminders and blocks
of the warning ladder (90/60/30 days, and a block on the day, per the policy file)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from infra import ids
from infra.events import record_event
from infra.progress import SweepLog
from infra.runtime import Runtime
from scoring.codes import Severity
from scoring.qualification import expiry_horizon_days
from services.requests import request_rescore
from store import certificates as store
from store import dates

log = logging.getLogger("medcredit.sweep")
# Licences run five years at most; a longer horizon only risks date overflow.
MAX_WITHIN_DAYS = 3660


async def expiring_certificates(rt: Runtime, within_days: int, *, today: date) -> list[dict[str, Any]]:
    """Certificates still in force whose end date falls within ``within_days`` of today."""
    until = dates.to_bson(today + timedelta(days=min(max(within_days, 0), MAX_WITHIN_DAYS)))
    start = dates.to_bson(today)
    return [c for c in await store.expiring_before(rt.db, until) if c["valid_until"] >= start]


async def sweep_expiry(rt: Runtime, *, today: date) -> dict[str, int]:
    """Mark lapsed certificates expired and rescore every customer with one near or past its end."""
    horizon = dates.to_bson(today + timedelta(days=expiry_horizon_days(rt.policy)))
    start_of_today = dates.to_bson(today)
    watched = await store.expiring_before(rt.db, horizon)
    lapsed = [c for c in watched if c["valid_until"] < start_of_today and c.get("status") != "expired"]
    await store.mark_expired(rt.db, [c["_id"] for c in lapsed])
    for certificate in lapsed:
        await record_event(
            rt.db,
            rt.redis,
            "CERTIFICATE_EXPIRED",
            Severity.HIGH,
            certificate["customer_id"],
            {
                "certificateId": ids.encode_id("Certificate", certificate["_id"]),
                "type": certificate["type"].upper(),
                "number": certificate["number"],
                "validUntil": certificate["valid_until"],
                "sweptAt": datetime.now(UTC),
            },
        )
    customers = {c["customer_id"] for c in watched}
    sweep = SweepLog(log, "expiry_sweep", len(customers))
    for customer_id in customers:
        await request_rescore(rt, customer_id, "expiry watch")
        sweep.advance()
    totals = {"expired": len(lapsed), "customers_rescored": len(customers)}
    sweep.finish(**totals)
    return totals
