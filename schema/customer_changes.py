"""``updateCustomer`` and ``archiveCustomer``: customers change after creation."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from infra import ids
from schema.customers import Customer, CustomerPayload
from schema.errors import run_mutation
from schema.permissions import CREDIT, CREDIT_GRANTORS, CUSTOMER_ADMIN
from services import customer_changes as service
from services.errors import ErrorCode, invalid


@strawberry.input(description="Only the fields given change; `null` clears region, credit code and attributes.")
class UpdateCustomerInput:
    legal_name: str | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    payment_term_days: int | None = strawberry.UNSET
    attributes: JSON | None = strawberry.UNSET
    uscc: str | None = strawberry.UNSET


def _given(value: Any) -> Any:
    return service.UNSET if value is strawberry.UNSET else value


@strawberry.type
class CustomerChangeMutation:
    @strawberry.mutation(
        permission_classes=[CUSTOMER_ADMIN],
        description="Change a customer (audited before/after). A new legal name or credit code sends its "
        "licences back to review; payment terms need a credit manager.",
    )
    async def update_customer(self, info: Info, id: strawberry.ID, input: UpdateCustomerInput) -> CustomerPayload:
        async def change() -> dict[str, Any]:
            attributes = _given(input.attributes)
            if attributes is not service.UNSET and attributes is not None and not isinstance(attributes, dict):
                raise invalid("Attributes must be a JSON object.", ErrorCode.INVALID, "attributes")
            user = info.context.user
            return await service.update_customer(
                info.context.runtime,
                ids.decode_oid(id, "Customer"),
                service.CustomerChange(
                    legal_name=_given(input.legal_name),
                    region=_given(input.region),
                    payment_term_days=_given(input.payment_term_days),
                    attributes=attributes,
                    uscc=_given(input.uscc),
                ),
                actor=info.context.actor,
                may_grant_credit=user is not None and user.has_any(CREDIT_GRANTORS),
            )

        doc, errors = await run_mutation(change)
        return CustomerPayload(customer=Customer.from_doc(doc) if doc else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[CREDIT],
        description="Archive a customer: its history stays; new orders and shipments are held.",
    )
    async def archive_customer(self, info: Info, id: strawberry.ID, reason: str) -> CustomerPayload:
        doc, errors = await run_mutation(
            lambda: service.archive_customer(
                info.context.runtime, ids.decode_oid(id, "Customer"), reason, actor=info.context.actor
            )
        )
        return CustomerPayload(customer=Customer.from_doc(doc) if doc else None, errors=errors)
