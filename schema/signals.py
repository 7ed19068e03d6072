"""Outside risk signals in GraphQL: ``recordRiskSignal`` and ``Customer.riskSignals``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import strawberry
from bson import ObjectId
from strawberry.types import Info

from infra import ids
from schema.enums import Severity
from schema.errors import UserError, run_mutation
from schema.permissions import CREDIT
from services import signals as service
from store import dates
from store import signals as store


@strawberry.enum(description="What kind of outside signal.")
class RiskSignalKind(Enum):
    LAWSUIT = "LAWSUIT"
    NEGATIVE_NEWS = "NEGATIVE_NEWS"
    ADMINISTRATIVE_PENALTY = "ADMINISTRATIVE_PENALTY"
    EXTERNAL_RATING = strawberry.enum_value(
        "EXTERNAL_RATING", description="A rating (0-100) from a credit agency: the scorecard's external factor."
    )
    OTHER = "OTHER"


@strawberry.type(description="A fact from outside: a court case, a news report, a penalty, an agency's rating.")
class RiskSignal:
    id: strawberry.ID
    kind: RiskSignalKind
    severity: Severity
    source: str
    occurred_on: date
    score: float | None
    note: str | None
    recorded_by: str
    recorded_at: datetime


def signal_from(doc: dict[str, Any]) -> RiskSignal:
    return RiskSignal(
        id=strawberry.ID(ids.encode_id("RiskSignal", doc["_id"])),
        kind=RiskSignalKind(doc["kind"]),
        severity=Severity(doc["severity"]),
        source=doc["source"],
        occurred_on=dates.from_bson(doc["occurred_on"]) or date.min,
        score=doc.get("score"),
        note=doc.get("note"),
        recorded_by=doc["recorded_by"],
        recorded_at=doc["recorded_at"],
    )


async def signals_of(info: Info, customer_oid: ObjectId) -> list[RiskSignal]:
    return [signal_from(d) for d in await store.signals_of(info.context.db, customer_oid)]


@strawberry.input
class RiskSignalInput:
    customer_id: strawberry.ID
    kind: RiskSignalKind
    severity: Severity
    source: str
    occurred_on: date
    score: float | None = strawberry.field(default=None, description="0-100; required for EXTERNAL_RATING.")
    note: str | None = None


@strawberry.type
class RiskSignalPayload:
    signal: RiskSignal | None
    errors: list[UserError]


@strawberry.type
class SignalMutation:
    @strawberry.mutation(permission_classes=[CREDIT])
    async def record_risk_signal(self, info: Info, input: RiskSignalInput) -> RiskSignalPayload:
        request = service.SignalRequest(
            customer_id=ids.decode_oid(input.customer_id, "Customer"),
            kind=input.kind.value,
            severity=input.severity,
            source=input.source,
            occurred_on=input.occurred_on,
            score=input.score,
            note=input.note,
        )
        doc, errors = await run_mutation(
            lambda: service.record_signal(
                info.context.runtime, request, actor=info.context.actor, today=datetime.now(UTC).date()
            )
        )
        return RiskSignalPayload(signal=signal_from(doc) if doc else None, errors=errors)
