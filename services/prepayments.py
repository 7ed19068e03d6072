"""Prepayment as a response: an order that arrives with a received prepayment.

The policy (``[responses]``) makes some customers pay in advance (grade E, a severe
overdue). Sales submits such an order with the reference of the money received; it is
recorded as a payment of the order's total before the gate decides, so the ledger,
the audit trail and the customer's account show it like any other payment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bson import ObjectId

from infra.runtime import Runtime
from services.errors import ErrorCode, invalid
from services.ledger import PaymentRequest, record_payment
from services.orders import Line

ZERO = Decimal("0.00")


async def record_prepayment(
    rt: Runtime, customer_id: ObjectId, reference: str | None, lines: list[Line], *, actor: str, today: date
) -> str | None:
    """Record the prepayment for an order; returns its reference (None when the order has none).

    Sending the same order again finds the payment recorded and changes nothing.

    Raises:
        InvalidInput: a blank reference, or one already used for a different payment.
    """
    if reference is None:
        return None
    if not reference.strip():
        raise invalid(
            "Give the received prepayment's reference, or leave it out.", ErrorCode.REQUIRED, "prepaymentReference"
        )
    total = sum((line.amount for line in lines), ZERO)
    request = PaymentRequest(customer_id, reference.strip(), total, today)
    await record_payment(rt, request, actor=actor)
    return reference.strip()
