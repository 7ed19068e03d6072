"""Stored documents turned into the plain facts ``scoring`` works on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from scoring import ledger as receivables
from scoring.qualification import Certificate
from store import dates

ZERO = Decimal("0.00")


def to_invoice(doc: dict[str, Any]) -> receivables.Invoice:
    return receivables.Invoice(
        number=doc["number"],
        amount=doc["amount"],
        issued_on=dates.from_bson(doc["issued_on"]),  # type: ignore[arg-type]
        due_on=dates.from_bson(doc["due_on"]),  # type: ignore[arg-type]
        paid=doc.get("paid", ZERO),
        settled_on=dates.from_bson(doc.get("settled_on")),
    )


def to_certificate(doc: dict[str, Any]) -> Certificate:
    return Certificate(
        cert_type=doc["type"],
        device_classes=tuple(doc.get("device_classes", ())),
        scope_categories=tuple(doc.get("scope_categories", ())),
        valid_until=dates.from_bson(doc.get("valid_until")),
        status=doc.get("status", "verified"),
    )
