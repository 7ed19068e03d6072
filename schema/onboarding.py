"""Onboarding (首营审核) in GraphQL: ``Customer.onboarding``, ``onboardingQueue``,
``approveOnboarding`` and ``suspendOnboarding``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from common.roles import Role
from infra import ids
from schema.customers import Customer, CustomerPayload
from schema.errors import run_mutation
from schema.pagination import DEFAULT_PAGE, Connection, OrderDirection, connection_from, ordering_for, window_for
from schema.permissions import IsAuthenticated, role_permission
from scoring.onboarding import OnboardingStatus
from services import onboarding as service
from store import certificates as cert_store
from store import onboarding as store

strawberry.enum(OnboardingStatus, name="OnboardingStatus", description="Where a customer's onboarding file stands.")

SUSPENDERS = role_permission(Role.ONBOARDING, Role.CREDIT_MANAGER)


class MayApproveOnboarding(BasePermission):
    """ADMIN and the roles of ``onboarding.approver_roles`` in the policy file."""

    message = "Forbidden: signing an onboarding off needs a role named in onboarding.approver_roles."
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 - strawberry reads it per instance

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        user = info.context.user
        roles = info.context.runtime.policy.onboarding.approver_roles | {Role.ADMIN}
        return user is not None and user.has_any(roles)


@strawberry.type(description="One document the customer's type must hold (`[onboarding.standards]`).")
class OnboardingRequirement:
    key: str
    label: str
    certificate_types: list[str]
    met: bool
    expiring_soon: bool


@strawberry.type(description="A review decision on the file: who, when, what and why.")
class OnboardingReview:
    decision: str
    reviewed_by: str
    reviewed_at: datetime
    note: str | None
    status_before: str | None


@strawberry.type(description="The customer's onboarding file, assessed now against its type's standard.")
class Onboarding:
    status: OnboardingStatus
    missing: list[str] = strawberry.field(
        description="Labels of requirements not met (missing, expired, rejected or not naming the customer)."
    )
    expiring_soon: list[str] = strawberry.field(
        description="Labels of requirements met only by a certificate ending soon."
    )
    reviewed_by: str | None = strawberry.field(description="Who signed the file off last.")
    reviewed_at: datetime | None
    next_review_on: date | None = strawberry.field(description="When the periodic re-review falls due.")
    requirements: list[OnboardingRequirement]
    reviews: list[OnboardingReview] = strawberry.field(description="Every review decision, oldest first.")


def onboarding_from(
    customer: dict[str, Any], certificates: list[dict[str, Any]], policy: Any, today: date
) -> Onboarding:
    state = service.assess(customer, certificates, today, policy)
    stored = customer.get("onboarding") or {}
    approval = stored.get("approval") or {}
    requirements = policy.onboarding.requirements_for(customer["type"])
    return Onboarding(
        status=state.status,
        missing=service.labels(policy, customer["type"], state.missing),
        expiring_soon=service.labels(policy, customer["type"], state.expiring_soon),
        reviewed_by=approval.get("by"),
        reviewed_at=approval.get("at"),
        next_review_on=state.next_review_on,
        requirements=[
            OnboardingRequirement(
                key=r.key,
                label=r.label,
                certificate_types=[t.upper() for t in r.any_of],
                met=r.key not in state.missing,
                expiring_soon=r.key in state.expiring_soon,
            )
            for r in requirements
        ],
        reviews=[
            OnboardingReview(
                decision=r["decision"],
                reviewed_by=r["by"],
                reviewed_at=r["at"],
                note=r.get("note") or None,
                status_before=r.get("status_before"),
            )
            for r in stored.get("reviews") or []
        ],
    )


async def onboarding_for(info: Info, customer: dict[str, Any]) -> Onboarding:
    certificates = await cert_store.certificates_of(info.context.db, customer["_id"])
    return onboarding_from(customer, certificates, info.context.runtime.policy, datetime.now(UTC).date())


@strawberry.enum(description="What `onboardingQueue` can be sorted by.")
class OnboardingQueueOrderField(Enum):
    CREATED_AT = strawberry.enum_value("_id", description="When the customer was created (the default).")
    CHECKED_AT = strawberry.enum_value("onboarding.checked_at", description="When the file was last assessed.")
    CODE = strawberry.enum_value("code", description="The seller's customer number.")


@strawberry.input(description="How to sort the onboarding queue; oldest first unless told otherwise.")
class OnboardingQueueOrder:
    field: OnboardingQueueOrderField = OnboardingQueueOrderField.CREATED_AT
    direction: OrderDirection = OrderDirection.ASC


@strawberry.type
class OnboardingQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="The onboarding staff's daily list: customers whose file is in `status` (as last "
        "assessed: on creation none is, which counts as INCOMPLETE), oldest first by default.",
    )
    async def onboarding_queue(
        self,
        info: Info,
        status: OnboardingStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        order_by: OnboardingQueueOrder | None = None,
    ) -> Connection[Customer]:
        o = order_by or OnboardingQueueOrder()
        name, sort = ordering_for(f"onboardingQueue:{status.name if status else 'ALL'}", o.field, o.direction)
        window = window_for(name, first, after, last, before)
        page = await store.page_queue(info.context.db, status.value if status else None, sort, window, DEFAULT_PAGE)
        return connection_from(page, name, sort, Customer.from_doc)


def _today() -> date:
    return datetime.now(UTC).date()


@strawberry.type
class OnboardingMutation:
    @strawberry.mutation(
        permission_classes=[MayApproveOnboarding],
        description="Sign a complete onboarding file off (audited); refused with INVALID_STATE while "
        "anything required is missing. Also renews the periodic review and lifts a suspension.",
    )
    async def approve_onboarding(
        self, info: Info, customer_id: strawberry.ID, note: str | None = None
    ) -> CustomerPayload:
        oid = ids.decode_oid(customer_id, "Customer")

        async def approve() -> dict[str, Any]:
            return await service.approve_onboarding(
                info.context.runtime, oid, note, actor=info.context.actor, today=_today()
            )

        doc, errors = await run_mutation(approve)
        return CustomerPayload(customer=Customer.from_doc(doc) if doc else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[SUSPENDERS],
        description="Suspend an onboarding (orders held as ONBOARDING_INCOMPLETE) until it is approved again.",
    )
    async def suspend_onboarding(self, info: Info, customer_id: strawberry.ID, note: str) -> CustomerPayload:
        oid = ids.decode_oid(customer_id, "Customer")

        async def suspend() -> dict[str, Any]:
            return await service.suspend_onboarding(
                info.context.runtime, oid, note, actor=info.context.actor, today=_today()
            )

        doc, errors = await run_mutation(suspend)
        return CustomerPayload(customer=Customer.from_doc(doc) if doc else None, errors=errors)


__all__ = ["Onboarding", "OnboardingMutation", "OnboardingQuery", "onboarding_for"]
