"""The risk report and the audit trail."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api import ids
from api.store import audit as audit_store
from api.store import reports as store
from schema.enums import RiskGrade
from schema.permissions import AUDIT_READERS, IsAuthenticated, role_permission
from schema.risk import GradeCount, GroupRisk, RiskReport
from scoring.roles import Role

AUDITORS = role_permission(*(AUDIT_READERS - {Role.ADMIN}))
CENT = Decimal("0.01")
MAX_AUDIT = 500


@strawberry.type
class AuditEntry:
    action: str
    actor: str
    at: datetime
    detail: JSON


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
        )

    @strawberry.field(
        permission_classes=[AUDITORS],
        description="Newest first: limit changes, holds and "
        "releases, review decisions and acknowledgements for one customer.",
    )
    async def audit_log(self, info: Info, customer_id: strawberry.ID, first: int | None = 100) -> list[AuditEntry]:
        oid = ids.decode_oid(customer_id, "Customer")
        if oid is None:
            return []
        limit = min(100 if first is None else first, MAX_AUDIT)
        if limit <= 0:
            return []  # MongoDB reads limit(0) as "no limit"
        rows = await audit_store.entries_for(db=info.context.db, customer_id=oid, limit=limit)
        return [
            AuditEntry(action=r["action"], actor=r["actor"], at=r["at"], detail=JSON(r.get("detail") or {}))
            for r in rows
        ]
