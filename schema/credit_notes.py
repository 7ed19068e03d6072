"""``recordCreditNote``: returns and price adjustments in the receivables ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.types import Info

from infra import ids
from schema.errors import run_mutation
from schema.ledger import LedgerPayload, _fresh, _payload
from schema.permissions import FINANCE
from services import credit_notes as service
from services.credit_notes import CreditNoteReason

strawberry.enum(CreditNoteReason, name="CreditNoteReason", description="Why a credit note was issued.")


@strawberry.input
class CreditNoteInput:
    customer_id: strawberry.ID
    number: str = strawberry.field(description="Idempotency: the same number is recorded once.")
    amount: Decimal
    issued_on: date
    reason: CreditNoteReason
    invoice_number: str | None = strawberry.field(
        default=None, description="The invoice it reduces; the oldest open invoices when omitted."
    )


@strawberry.type
class CreditNoteMutation:
    @strawberry.mutation(
        permission_classes=[FINANCE],
        description="Record a credit note once: it reduces the named (or oldest) invoice and exposure exactly.",
    )
    async def record_credit_note(self, info: Info, input: CreditNoteInput) -> LedgerPayload:
        request = service.CreditNoteRequest(
            customer_id=ids.decode_oid(input.customer_id, "Customer"),
            number=input.number,
            amount=input.amount,
            issued_on=input.issued_on,
            reason=input.reason,
            invoice_number=input.invoice_number,
        )
        result, errors = await run_mutation(
            lambda: service.record_credit_note(info.context.runtime, request, actor=info.context.actor)
        )
        return await _fresh(info, _payload(result, errors, "credit note"))
