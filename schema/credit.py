"""Credit mutations: ``setCreditLimit`` and ``rescoreCustomer``."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.types import Info

from common.roles import Role
from infra import ids
from schema.customers import Customer, CustomerPayload
from schema.errors import run_mutation
from schema.permissions import CREDIT, role_permission
from services import limits
from services.customers import require_customer
from services.requests import request_rescore

RESCORERS = role_permission(Role.CREDIT_MANAGER, Role.FINANCE)


@strawberry.type
class CreditMutation:
    @strawberry.mutation(permission_classes=[CREDIT])
    async def set_credit_limit(
        self, info: Info, customer_id: strawberry.ID, limit: Decimal, reason: str
    ) -> CustomerPayload:
        oid = ids.decode_oid(customer_id, "Customer")
        doc, errors = await run_mutation(
            lambda: limits.set_credit_limit(info.context.runtime, oid, limit, reason, actor=info.context.actor)
        )
        return CustomerPayload(customer=Customer.from_doc(doc) if doc else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[RESCORERS],
        description="Queue a rescoring in the workers; the result arrives as SCORE_CHANGED events "
        "and in Customer.risk once scored.",
    )
    async def rescore_customer(self, info: Info, customer_id: strawberry.ID) -> CustomerPayload:
        rt = info.context.runtime

        async def queue() -> dict:
            customer = await require_customer(rt.db, ids.decode_oid(customer_id, "Customer"))
            await request_rescore(rt, customer["_id"], f"requested by {info.context.actor}")
            return customer

        doc, errors = await run_mutation(queue)
        return CustomerPayload(customer=Customer.from_doc(doc) if doc else None, errors=errors)
