"""The risk report and the audit trail."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types import Info

from common.roles import Role
from infra import ids
from schema.enums import RiskGrade
from schema.groups import by_group
from schema.pagination import DEFAULT_PAGE, Connection, OrderDirection, connection_from, ordering_for, window_for
from schema.permissions import AUDIT_READERS, IsAuthenticated, role_permission
from schema.risk import GradeCount, GroupRisk, RiskReport
from store import audit as audit_store
from store import reports as store

AUDITORS = role_permission(*(AUDIT_READERS - {Role.ADMIN}))
CENT = Decimal("0.01")
MAX_AUDIT = 500


@strawberry.type
class AuditEntry:
    action: str
    actor: str
    at: datetime
    detail: JSON


def audit_entry(row: dict[str, Any]) -> AuditEntry:
    return AuditEntry(action=row["action"], actor=row["actor"], at=row["at"], detail=JSON(row.get("detail") or {}))


@strawberry.enum(description="What the audit trail can be sorted by.")
class AuditOrderField(Enum):
    AT = strawberry.enum_value("at", description="When it happened (the default).")
    ACTION = strawberry.enum_value("action", description="The kind of action, e.g. LIMIT_CHANGED.")


@strawberry.input(description="How to sort the audit trail; newest first unless told otherwise.")
class AuditOrder:
    field: AuditOrderField = AuditOrderField.AT
    direction: OrderDirection = OrderDirection.DESC


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def _groups(rows: list[dict[str, Any]]) -> list[GroupRisk]:
    return [
        GroupRisk(
            key=str(r["_id"]),
            customers=r["customers"],
            exposure=_money(r["exposure"]),
            overdue=_money(r["overdue"]),
            average_score=round(r["average_score"], 2) if r["average_score"] is not None else None,
        )
        for r in rows
    ]


@strawberry.type
class ReportQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def risk_report(self, info: Info) -> RiskReport:
        db = info.context.db
        totals = await store.totals(db)
        return RiskReport(
            by_grade=[
                GradeCount(
                    grade=RiskGrade(r["_id"]),
                    customers=r["customers"],
                    exposure=_money(r["exposure"]),
                )
                for r in await store.by_grade(db)
            ],
            by_region=_groups(await store.by_field(db, "region", "UNKNOWN")),
            by_customer_type=_groups(await store.by_field(db, "type", "OTHER")),
            total_exposure=_money(totals["exposure"]),
            total_overdue=_money(totals["overdue"]),
            by_group=await by_group(db),
        )

    @strawberry.field(
        permission_classes=[AUDITORS],
        description="Newest first: limit changes, holds and "
        "releases, review decisions and acknowledgements for one customer.",
    )
    async def audit_log(
        self, info: Info, customer_id: strawberry.ID, first: int | None = 100
    ) -> list[AuditEntry] | None:
        oid = ids.decode_oid(customer_id, "Customer")
        if oid is None:
            return []
        limit = min(100 if first is None else first, MAX_AUDIT)
        if limit <= 0:
            return []  # MongoDB reads limit(0) as "no limit"
        rows = await audit_store.entries_for(db=info.context.db, customer_id=oid, limit=limit)
        return [audit_entry(r) for r in rows]

    @strawberry.field(
        permission_classes=[AUDITORS],
        description="The audit trail as a connection, newest first by default, for one customer "
        "or all; null with a FORBIDDEN error for roles that may not read it.",
    )
    async def audit_log_connection(
        self,
        info: Info,
        customer_id: strawberry.ID | None = None,
        action: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        order_by: AuditOrder | None = None,
    ) -> Connection[AuditEntry] | None:
        oid = None
        if customer_id is not None:
            oid = ids.decode_oid(customer_id, "Customer")
            if oid is None:
                raise GraphQLError("customerId is not a customer id.", extensions={"code": "BAD_USER_INPUT"})
        o = order_by or AuditOrder()
        name, sort = ordering_for("audit", o.field, o.direction)
        window = window_for(name, first, after, last, before)
        page = await audit_store.page_entries(info.context.db, oid, action, sort, window, DEFAULT_PAGE)
        return connection_from(page, name, sort, audit_entry)
