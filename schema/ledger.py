"""The receivables ledger mutations: ``recordInvoice`` and ``recordPayment``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.types import Info

from infra import ids
from schema.customers import Customer
from schema.errors import UserError, run_mutation, user_error
from schema.permissions import FINANCE
from services import ledger as service
from services.errors import ErrorCode, Problem
from store.customers import get_customer


@strawberry.input
class InvoiceInput:
    customer_id: strawberry.ID
    number: str
    amount: Decimal
    issued_on: date
    due_on: date
    order_ref: str | None = strawberry.field(
        default=None, description="externalRef of the approved order this invoice bills"
    )


@strawberry.input
class PaymentInput:
    customer_id: strawberry.ID
    reference: str
    amount: Decimal
    received_on: date
    invoice_numbers: list[str] | None = None


@strawberry.type
class LedgerPayload:
    customer: Customer | None
    errors: list[UserError]
    # False when this exact entry was recorded before: the call changed nothing.
    recorded: bool = False


def _payload(result: tuple[dict, bool] | None, errors: list[UserError], what: str) -> LedgerPayload:
    if result is None:
        return LedgerPayload(customer=None, errors=errors)
    customer, changed = result
    if not changed:
        errors = [
            user_error(Problem(f"This {what} was already recorded; nothing changed.", ErrorCode.ALREADY_RECORDED))
        ]
    return LedgerPayload(customer=Customer.from_doc(customer), errors=errors, recorded=changed)


@strawberry.type
class LedgerMutation:
    @strawberry.mutation(permission_classes=[FINANCE])
    async def record_invoice(self, info: Info, input: InvoiceInput) -> LedgerPayload:
        request = service.InvoiceRequest(
            customer_id=ids.decode_oid(input.customer_id, "Customer"),
            number=input.number,
            amount=input.amount,
            issued_on=input.issued_on,
            due_on=input.due_on,
            order_ref=input.order_ref,
        )
        result, errors = await run_mutation(
            lambda: service.record_invoice(info.context.runtime, request, actor=info.context.actor)
        )
        return await _fresh(info, _payload(result, errors, "invoice"))

    @strawberry.mutation(permission_classes=[FINANCE])
    async def record_payment(self, info: Info, input: PaymentInput) -> LedgerPayload:
        request = service.PaymentRequest(
            customer_id=ids.decode_oid(input.customer_id, "Customer"),
            reference=input.reference,
            amount=input.amount,
            received_on=input.received_on,
            invoice_numbers=tuple(input.invoice_numbers or ()),
        )
        result, errors = await run_mutation(
            lambda: service.record_payment(info.context.runtime, request, actor=info.context.actor)
        )
        return await _fresh(info, _payload(result, errors, "payment"))


async def _fresh(info: Info, payload: LedgerPayload) -> LedgerPayload:
    """Return the payload with the customer as stored after the change."""
    if payload.customer is not None:
        doc = await get_customer(info.context.db, payload.customer.doc["_id"])
        if doc is not None:
            payload.customer = Customer.from_doc(doc)
    return payload
