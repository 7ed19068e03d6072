"""Risk types: assessments, warnings, events and the risk report."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from bson import ObjectId
from strawberry.scalars import JSON
from strawberry.types import Info

from infra import ids
from schema.enums import RiskGrade, Role, Severity
from schema.errors import UserError, run_mutation
from schema.node import Node
from schema.pagination import (
    DEFAULT_PAGE,
    Connection,
    OrderDirection,
    connection_from,
    filtered_customer,
    ordering_for,
    window_for,
)
from schema.permissions import ANY_STAFF, IsAuthenticated
from scoring.codes import Severity as SeverityLevel
from services import warnings as warnings_service
from store import warnings as warnings_store

if TYPE_CHECKING:
    from schema.customers import Customer
    from schema.notifications import Delivery


# The most warnings one response lists (the store reads at most this many too).
MAX_WARNINGS = 500


@strawberry.type
class ScoreFactor:
    name: str
    value: float
    contribution: float


@strawberry.type
class RiskAssessment:
    score: float
    grade: RiskGrade
    factors: list[ScoreFactor]
    recommended_limit: Decimal
    scored_at: datetime


@strawberry.type
class Warning(Node):
    doc: strawberry.Private[dict[str, Any]]
    severity: Severity
    kind: str
    message: str
    notify_roles: list[Role]
    raised_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("schema.customers")]:
        from schema.customers import Customer

        doc = await info.context.customers.load(self.doc["customer_id"])
        return Customer.from_doc(doc)

    @strawberry.field(description="Every notification sent (or being sent) for this warning.")
    async def deliveries(self, info: Info) -> list[Annotated[Delivery, strawberry.lazy("schema.notifications")]]:
        from schema.notifications import deliveries_of_warning

        return await deliveries_of_warning(info, self.doc["_id"])


@strawberry.type
class RiskEvent:
    id: strawberry.ID
    type: str
    severity: Severity
    customer_id: strawberry.ID
    occurred_at: datetime
    payload: JSON


@strawberry.type
class GradeCount:
    grade: RiskGrade
    customers: int
    exposure: Decimal


@strawberry.type
class GroupRisk:
    key: str
    customers: int
    exposure: Decimal
    overdue: Decimal
    average_score: float | None


@strawberry.type
class RiskReport:
    by_grade: list[GradeCount]
    by_region: list[GroupRisk]
    by_customer_type: list[GroupRisk]
    total_exposure: Decimal
    total_overdue: Decimal
    by_group: list[GroupRisk] = strawberry.field(
        default_factory=list, description="Customer groups (related parties) by group code; NONE for the rest."
    )


@strawberry.type
class WarningPayload:
    warning: Warning | None
    errors: list[UserError]


def risk_for(customer: dict[str, Any]) -> RiskAssessment | None:
    """The customer's latest assessment, or None until first scored."""
    risk = customer.get("risk")
    if not risk:
        return None
    return RiskAssessment(
        score=float(risk["score"]),
        grade=RiskGrade(risk["grade"]),
        factors=[ScoreFactor(**f) for f in risk.get("factors", [])],
        recommended_limit=risk["recommended_limit"],
        scored_at=risk["scored_at"],
    )


def warning_from(doc: dict[str, Any]) -> Warning:
    return Warning(
        id=strawberry.ID(ids.encode_id("Warning", doc["_id"])),
        doc=doc,
        severity=Severity(doc["severity"]),
        kind=doc["kind"],
        message=doc["message"],
        notify_roles=[Role(r) for r in doc.get("notify_roles", [])],
        raised_at=doc["raised_at"],
        acknowledged_at=doc.get("acknowledged_at"),
        resolved_at=doc.get("resolved_at"),
    )


def warnings_from(docs: list[dict[str, Any]]) -> list[Warning]:
    return [warning_from(d) for d in docs]


async def load_warning(info: Info, public_id: str) -> Warning | None:
    oid = ids.decode_oid(public_id, "Warning")
    doc = await warnings_store.get_warning(info.context.db, oid) if oid else None
    return warning_from(doc) if doc else None


@strawberry.enum(description="What warning lists can be sorted by.")
class WarningOrderField(Enum):
    RAISED_AT = strawberry.enum_value("raised_at", description="When the warning was raised (the default).")
    KIND = strawberry.enum_value("kind", description="The warning's kind, e.g. OVERDUE.")


@strawberry.input(description="How to sort warnings; newest first unless told otherwise.")
class WarningOrder:
    field: WarningOrderField = WarningOrderField.RAISED_AT
    direction: OrderDirection = OrderDirection.DESC


@strawberry.input(description="Which warnings to list; every given condition must hold.")
class WarningFilter:
    customer_id: strawberry.ID | None = None
    min_severity: Severity | None = Severity.INFO
    active_only: bool | None = strawberry.field(default=True, description="Leave out resolved warnings.")
    kind: str | None = None


async def warnings_page(
    info: Info,
    customer_oid: ObjectId | None,
    filter: WarningFilter | None,
    order_by: WarningOrder | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Warning]:
    f = filter or WarningFilter()
    o = order_by or WarningOrder()
    name, sort = ordering_for("warnings", o.field, o.direction)
    window = window_for(name, first, after, last, before)
    least = f.min_severity or Severity.INFO
    query = warnings_store.warnings_filter(
        customer_id=customer_oid,
        severities=[s.value for s in SeverityLevel if s >= least],
        active_only=f.active_only is not False,
        kind=f.kind,
    )
    page = await warnings_store.page_warnings(info.context.db, query, sort, window, DEFAULT_PAGE)
    return connection_from(page, name, sort, warning_from)


@strawberry.type
class WarningQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated], description=f"`first` at most {MAX_WARNINGS} (default 100)."
    )
    async def warnings(
        self,
        info: Info,
        min_severity: Severity | None = Severity.INFO,
        active_only: bool | None = True,
        first: int | None = 100,
    ) -> list[Warning]:
        docs = await warnings_service.list_warnings(
            info.context.runtime,
            min_severity=min_severity or Severity.INFO,
            active_only=active_only is not False,
        )
        return [warning_from(d) for d in docs[: max(0, min(100 if first is None else first, MAX_WARNINGS))]]

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Warnings as a connection, newest first by default (`warnings` is the unpaged list).",
    )
    async def warnings_connection(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: WarningFilter | None = None,
        order_by: WarningOrder | None = None,
    ) -> Connection[Warning]:
        return await warnings_page(info, filtered_customer(filter), filter, order_by, first, after, last, before)


@strawberry.type
class WarningMutation:
    @strawberry.mutation(permission_classes=[ANY_STAFF])
    async def acknowledge_warning(self, info: Info, id: strawberry.ID, note: str | None = None) -> WarningPayload:
        doc, errors = await run_mutation(
            lambda: warnings_service.acknowledge_warning(
                info.context.runtime,
                ids.decode_oid(id, "Warning"),
                note,
                actor=info.context.actor,
                roles=info.context.user.roles if info.context.user else (),
            )
        )
        return WarningPayload(warning=warning_from(doc) if doc else None, errors=errors)
