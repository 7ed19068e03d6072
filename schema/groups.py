"""Customer groups (related parties): ``createCustomerGroup``, ``setCustomerGroup``, ``CustomerGroup``."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from bson import ObjectId
from strawberry.types import Info

from infra import ids
from schema.errors import UserError, run_mutation
from schema.node import Node
from schema.permissions import CREDIT, IsAuthenticated
from services import groups as service
from store import groups as store
from store import reports as report_store
from store import warnings as warning_store

if TYPE_CHECKING:
    from schema.customers import CreditProfile, Customer, CustomerPayload
    from schema.risk import GroupRisk, Warning

CENT = Decimal("0.01")


@strawberry.type(description="Related parties (a hospital group, a distributor and its subsidiaries) under one limit.")
class CustomerGroup(Node):
    doc: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> CustomerGroup:
        return cls(id=strawberry.ID(ids.encode_id("CustomerGroup", doc["_id"])), doc=doc)

    @strawberry.field
    def code(self) -> str:
        return str(self.doc["code"])

    @strawberry.field
    def name(self) -> str:
        return str(self.doc["name"])

    @strawberry.field
    async def members(self, info: Info) -> list[Annotated[Customer, strawberry.lazy("schema.customers")]]:
        from schema.customers import Customer

        return [Customer.from_doc(d) for d in await store.members_of(info.context.db, self.doc["_id"])]

    @strawberry.field(description="The group limit and the members' rolled-up exposure and aging.")
    async def credit(self, info: Info) -> Annotated[CreditProfile, strawberry.lazy("schema.customers")]:
        from schema.customers import AgingBuckets, CreditProfile

        profile = await service.group_profile(info.context.db, self.doc, datetime.now(UTC).date())
        return CreditProfile(
            limit=profile.limit,
            exposure=profile.exposure,
            available=profile.available,
            payment_term_days=profile.payment_term_days,
            aging=AgingBuckets(
                current=profile.aging.current,
                d1to30=profile.aging.d1to30,
                d31to60=profile.aging.d31to60,
                d61to90=profile.aging.d61to90,
                over90=profile.aging.over90,
            ),
        )

    @strawberry.field(description="Members' active severe-overdue and related-party warnings.")
    async def warnings(self, info: Info) -> list[Annotated[Warning, strawberry.lazy("schema.risk")]]:
        from schema.risk import warning_from

        found = []
        for member in await store.members_of(info.context.db, self.doc["_id"]):
            for w in await warning_store.active_warnings_of(info.context.db, member["_id"]):
                if w["kind"] in (service.RELATED_PARTY_RISK, *service.SEVERE_KINDS):
                    found.append(warning_from(w))
        return found


@strawberry.type
class CustomerGroupPayload:
    group: CustomerGroup | None
    errors: list[UserError]


@strawberry.input
class CreateCustomerGroupInput:
    code: str
    name: str
    credit_limit: Decimal


async def load_group(info: Info, public_id: str) -> CustomerGroup | None:
    oid = ids.decode_oid(public_id, "CustomerGroup")
    doc = await store.get_group(info.context.db, oid) if oid else None
    return CustomerGroup.from_doc(doc) if doc else None


async def group_of(info: Info, customer: dict[str, Any]) -> CustomerGroup | None:
    group_id = customer.get("group_id")
    doc = await store.get_group(info.context.db, group_id) if group_id is not None else None
    return CustomerGroup.from_doc(doc) if doc else None


async def by_group(db: Any) -> list[Annotated[GroupRisk, strawberry.lazy("schema.risk")]]:
    """The risk report's rows per group, keyed by group code."""
    from schema.risk import GroupRisk

    rows = await report_store.by_field(db, "group_id", "NONE")
    codes = {g["_id"]: g["code"] for g in await store.all_groups(db)}
    return [
        GroupRisk(
            key=codes.get(r["_id"], "NONE") if isinstance(r["_id"], ObjectId) else str(r["_id"]),
            customers=r["customers"],
            exposure=Decimal(r["exposure"] or 0).quantize(CENT),
            overdue=Decimal(r["overdue"] or 0).quantize(CENT),
            average_score=round(r["average_score"], 2) if r["average_score"] is not None else None,
        )
        for r in rows
    ]


@strawberry.type
class GroupQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def customer_group(self, info: Info, id: strawberry.ID) -> CustomerGroup | None:
        return await load_group(info, id)

    @strawberry.field(permission_classes=[IsAuthenticated], description="Customer groups by code.")
    async def customer_groups(self, info: Info) -> list[CustomerGroup]:
        return [CustomerGroup.from_doc(d) for d in await store.all_groups(info.context.db)]


@strawberry.type
class GroupMutation:
    @strawberry.mutation(permission_classes=[CREDIT], description="Create a group of related parties with its limit.")
    async def create_customer_group(self, info: Info, input: CreateCustomerGroupInput) -> CustomerGroupPayload:
        doc, errors = await run_mutation(
            lambda: service.create_group(
                info.context.runtime, input.code, input.name, input.credit_limit, actor=info.context.actor
            )
        )
        return CustomerGroupPayload(group=CustomerGroup.from_doc(doc) if doc else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[CREDIT], description="Put a customer in a group, or in none with `groupId: null`."
    )
    async def set_customer_group(
        self, info: Info, customer_id: strawberry.ID, group_id: strawberry.ID | None
    ) -> Annotated[CustomerPayload, strawberry.lazy("schema.customers")]:
        from schema.customers import Customer, CustomerPayload

        gid: ObjectId | None = ids.decode_oid(group_id, "CustomerGroup") if group_id is not None else None
        doc, errors = await run_mutation(
            lambda: service.set_customer_group(
                info.context.runtime,
                ids.decode_oid(customer_id, "Customer"),
                gid,
                clear=group_id is None,
                actor=info.context.actor,
            )
        )
        return CustomerPayload(customer=Customer.from_doc(doc) if doc else None, errors=errors)
