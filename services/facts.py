"""Stored documents turned into the plain facts ``scoring`` works on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bson import ObjectId

from scoring import ledger as receivables
from scoring.qualification import Certificate
from store import certificates as cert_store
from store import customers as customer_store
from store import dates
from store import ledger as ledger_store
from store.connection import Database

ZERO = Decimal("0.00")


def to_invoice(doc: dict[str, Any]) -> receivables.Invoice:
    """A stored invoice as the ``scoring.ledger.Invoice`` the scorecard reads (stored datetimes become days)."""
    return receivables.Invoice(
        number=doc["number"],
        amount=doc["amount"],
        issued_on=dates.from_bson(doc["issued_on"]),  # type: ignore[arg-type]
        due_on=dates.from_bson(doc["due_on"]),  # type: ignore[arg-type]
        paid=doc.get("paid", ZERO),
        settled_on=dates.from_bson(doc.get("settled_on")),
    )


def to_certificate(doc: dict[str, Any]) -> Certificate:
    """A stored certificate as the ``Certificate`` the gate checks (``verified`` when it has no status)."""
    return Certificate(
        cert_type=doc["type"],
        device_classes=tuple(doc.get("device_classes", ())),
        scope_categories=tuple(doc.get("scope_categories", ())),
        valid_until=dates.from_bson(doc.get("valid_until")),
        status=doc.get("status", "verified"),
    )


@dataclass(frozen=True)
class TradingRecord:
    """What a decision to sell or ship reads of a customer: its document, open invoices, certificates."""

    customer: dict[str, Any] | None
    open_invoices: list[dict[str, Any]]
    certificates: list[dict[str, Any]]

    @property
    def blocked(self) -> bool:
        """Blocked, archived (keeps its history but trades no more) or gone."""
        customer = self.customer or {}
        return bool(customer.get("blocked")) or bool(customer.get("archived"))

    def max_days_overdue(self, today: date) -> int:
        """Age in days of the oldest overdue open amount on ``today`` (0 when nothing is overdue)."""
        return receivables.max_days_overdue([to_invoice(d) for d in self.open_invoices], today)

    def held_certificates(self) -> tuple[Certificate, ...]:
        """The customer's certificates as the gate's ``Certificate`` facts."""
        return tuple(to_certificate(d) for d in self.certificates)


async def trading_record(db: Database, customer_id: ObjectId) -> TradingRecord:
    """The customer's trading record, its three reads in one round."""
    customer, invoices, certificates = await asyncio.gather(
        customer_store.get_customer(db, customer_id),
        ledger_store.invoices_of(db, customer_id, open_only=True),
        cert_store.certificates_of(db, customer_id),
    )
    return TradingRecord(customer, invoices, certificates)
