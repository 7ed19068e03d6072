"""Limit requests with four eyes, and the customer's score history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from bson import ObjectId
from strawberry.types import Info

from common.roles import Role
from infra import ids
from schema.enums import RiskGrade
from schema.errors import UserError, run_mutation
from schema.node import Node
from schema.permissions import CREDIT, IsAuthenticated, role_permission
from services import limit_requests as service
from store import dates
from store import limit_requests as store

if TYPE_CHECKING:
    from schema.customers import Customer

REQUESTERS = role_permission(Role.SALES, Role.FINANCE, Role.CREDIT_MANAGER)
MAX_HISTORY = 366


@strawberry.enum(description="Where a limit request stands.")
class LimitRequestStatus(Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"


@strawberry.type(description="A requested (possibly temporary) credit limit awaiting a second person's decision.")
class LimitRequest(Node):
    doc: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> LimitRequest:
        return cls(id=strawberry.ID(ids.encode_id("LimitRequest", doc["_id"])), doc=doc)

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("schema.customers")]:
        from schema.customers import Customer

        return Customer.from_doc(await info.context.customers.load(self.doc["customer_id"]))

    @strawberry.field(description="The limit in force when the request was made.")
    def current(self) -> Decimal:
        return self.doc["current"]

    @strawberry.field
    def requested(self) -> Decimal:
        return self.doc["requested"]

    @strawberry.field
    def reason(self) -> str:
        return str(self.doc["reason"])

    @strawberry.field(description="Who asked; `system:rescoring` for the scorecard's proposals.")
    def requested_by(self) -> str:
        return str(self.doc["requested_by"])

    @strawberry.field(description="For a temporary limit: the day the previous limit comes back.")
    def valid_until(self) -> date | None:
        return dates.from_bson(self.doc.get("valid_until"))

    @strawberry.field
    def status(self) -> LimitRequestStatus:
        return LimitRequestStatus(self.doc["status"])

    @strawberry.field
    def requested_at(self) -> datetime:
        return self.doc["created_at"]

    @strawberry.field
    def decided_by(self) -> str | None:
        return self.doc.get("decided_by")

    @strawberry.field
    def decision_note(self) -> str | None:
        return self.doc.get("decision_note")


@strawberry.type
class ScoreHistoryEntry:
    day: date
    score: float
    grade: RiskGrade
    policy_version: str
    reason: str | None


@strawberry.type
class LimitRequestPayload:
    limit_request: LimitRequest | None
    errors: list[UserError]


async def load_limit_request(info: Info, public_id: str) -> LimitRequest | None:
    oid = ids.decode_oid(public_id, "LimitRequest")
    doc = await store.get_request(info.context.db, oid) if oid else None
    return LimitRequest.from_doc(doc) if doc else None


async def limit_requests_of(info: Info, customer_id: ObjectId) -> list[LimitRequest]:
    return [LimitRequest.from_doc(d) for d in await store.requests_of(info.context.db, customer_id)]


async def score_history_of(info: Info, customer_id: ObjectId, first: int) -> list[ScoreHistoryEntry]:
    rows = await store.score_history(info.context.db, customer_id, max(1, min(first, MAX_HISTORY)))
    return [
        ScoreHistoryEntry(
            day=dates.from_bson(r["day"]),  # type: ignore[arg-type]
            score=r["score"],
            grade=RiskGrade(r["grade"]),
            policy_version=r.get("policy_version", ""),
            reason=r.get("reason"),
        )
        for r in rows
    ]


@strawberry.type
class LimitRequestQuery:
    @strawberry.field(permission_classes=[IsAuthenticated], description="Limit requests, newest first.")
    async def limit_requests(self, info: Info, status: LimitRequestStatus | None = None) -> list[LimitRequest]:
        docs = await store.requests_by_status(info.context.db, status.value if status else None)
        return [LimitRequest.from_doc(d) for d in docs]


def _today() -> date:
    return datetime.now(UTC).date()


@strawberry.type
class LimitRequestMutation:
    @strawberry.mutation(
        permission_classes=[REQUESTERS],
        description="Ask for a credit limit (temporary with `validUntil`); a credit manager other than you decides.",
    )
    async def request_credit_limit(
        self, info: Info, customer_id: strawberry.ID, limit: Decimal, reason: str, valid_until: date | None = None
    ) -> LimitRequestPayload:
        doc, errors = await run_mutation(
            lambda: service.request_limit(
                info.context.runtime,
                ids.decode_oid(customer_id, "Customer"),
                limit,
                reason,
                valid_until,
                actor=info.context.actor,
                today=_today(),
            )
        )
        return LimitRequestPayload(limit_request=LimitRequest.from_doc(doc) if doc else None, errors=errors)

    @strawberry.mutation(permission_classes=[CREDIT], description="Grant a pending request (never your own).")
    async def approve_limit_request(self, info: Info, id: strawberry.ID, note: str) -> LimitRequestPayload:
        return await _decide(info, id, note, approve=True)

    @strawberry.mutation(permission_classes=[CREDIT], description="Refuse a pending request (never your own).")
    async def decline_limit_request(self, info: Info, id: strawberry.ID, note: str) -> LimitRequestPayload:
        return await _decide(info, id, note, approve=False)


async def _decide(info: Info, public_id: str, note: str, *, approve: bool) -> LimitRequestPayload:
    doc, errors = await run_mutation(
        lambda: service.decide_request(
            info.context.runtime,
            ids.decode_oid(public_id, "LimitRequest"),
            note,
            approve=approve,
            actor=info.context.actor,
            today=_today(),
        )
    )
    return LimitRequestPayload(limit_request=LimitRequest.from_doc(doc) if doc else None, errors=errors)
