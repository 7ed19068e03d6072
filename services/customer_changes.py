"""Changing a customer after creation, and archiving it, with before/after in the audit.

A new legal name or credit code means the licences on file name someone else: they go
back to review (a person confirms the holder again), and the customer is rescored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from infra.events import record_event
from infra.runtime import Runtime
from scoring.codes import Severity
from services.customers import NewCustomer, _problems, require_customer
from services.errors import MAX_NOTE_CHARS, ErrorCode, InvalidInput, invalid, too_long
from services.requests import request_rescore
from store import audit as audit_store
from store import customer_changes as store
from store import customers as customer_store
from store.customers import DuplicateCustomer
from verification.uscc import normalize_uscc

# Fields a change may touch, by their GraphQL name.
FIELDS = {
    "legal_name": "legalName",
    "region": "region",
    "payment_term_days": "paymentTermDays",
    "attributes": "attributes",
    "uscc": "uscc",
}
UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class CustomerChange:
    """What to change; fields left UNSET stay as they are."""

    legal_name: Any = UNSET
    region: Any = UNSET
    payment_term_days: Any = UNSET
    attributes: Any = UNSET
    uscc: Any = UNSET


def _validate(customer: dict[str, Any], change: CustomerChange) -> dict[str, Any]:
    """The stored fields the change sets (only those that differ)."""
    merged = NewCustomer(
        code=customer["code"],
        legal_name=customer["legal_name"] if change.legal_name is UNSET else (change.legal_name or ""),
        type=customer["type"],
        uscc=customer.get("uscc") if change.uscc is UNSET else change.uscc,
        region=customer.get("region") if change.region is UNSET else change.region,
        attributes=(customer.get("attributes") or {}) if change.attributes is UNSET else change.attributes,
        payment_term_days=customer_store.payment_term_days(customer)
        if change.payment_term_days is UNSET or change.payment_term_days is None
        else change.payment_term_days,
    )
    problems = _problems(merged)
    if problems:
        raise InvalidInput(*problems)
    after = {
        "legal_name": merged.legal_name.strip(),
        "region": merged.region.strip() if merged.region else None,
        "payment_term_days": merged.payment_term_days,
        "attributes": merged.attributes if merged.attributes is not None else {},
        "uscc": normalize_uscc(merged.uscc) if merged.uscc and merged.uscc.strip() else None,
    }
    return {
        k: v
        for k, v in after.items()
        if v != customer.get(k) and not (k == "attributes" and v == (customer.get(k) or {}))
    }


async def update_customer(
    rt: Runtime, customer_id: ObjectId | None, change: CustomerChange, *, actor: str, may_grant_credit: bool
) -> dict[str, Any]:
    """Change a customer's details; returns it as stored after the change.

    Payment terms are credit: only a credit manager or an administrator
    (``may_grant_credit``) changes them.

    Raises:
        InvalidInput: unknown or archived customer, the creation rules (empty name, bad
            credit code, terms out of range, oversized attributes), terms changed by a
            role that may not grant credit, or a credit code another customer holds.
    """
    customer = await require_customer(rt.db, customer_id, "id")
    if customer.get("archived"):
        raise invalid("The customer is archived.", ErrorCode.INVALID_STATE, "id")
    changes = _validate(customer, change)
    if "payment_term_days" in changes and not may_grant_credit:
        raise invalid(
            "Only a credit manager or an administrator may change payment terms.",
            ErrorCode.FORBIDDEN,
            "paymentTermDays",
        )
    if not changes:
        return customer
    try:
        updated = await store.update_customer(rt.db, customer["_id"], changes)
    except DuplicateCustomer as exc:
        raise invalid("Another customer already has this credit code.", ErrorCode.DUPLICATE, "uscc") from exc
    assert updated is not None, "customers are never deleted"
    before = {FIELDS[k]: _plain(customer.get(k)) for k in changes}
    after = {FIELDS[k]: _plain(v) for k, v in changes.items()}
    await rt.audit.write(
        audit_store.entry(customer["_id"], "CUSTOMER_UPDATED", actor, {"before": before, "after": after})
    )
    documents: list[ObjectId] = []
    if "legal_name" in changes or "uscc" in changes:
        documents = await store.certificates_to_review(
            rt.db,
            customer["_id"],
            {
                "name": "holder_changed",
                "outcome": "warn",
                "detail": "The customer's legal name or credit code changed: "
                "confirm that this licence's holder is the customer.",
            },
        )
    await record_event(
        rt.db,
        rt.redis,
        "CUSTOMER_UPDATED",
        Severity.MEDIUM if documents else Severity.INFO,
        customer["_id"],
        {"changed": sorted(after), "before": before, "after": after, "documentsToReview": len(documents)},
    )
    await request_rescore(rt, customer["_id"], "customer changed")
    return updated


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool | dict | list) else str(value)


async def archive_customer(rt: Runtime, customer_id: ObjectId | None, reason: str, *, actor: str) -> dict[str, Any]:
    """Archive a customer: it stays with its history (ledger, orders, audit, scores) but
    its new orders and shipments are held (CUSTOMER_BLOCKED) and it cannot be changed.

    Raises:
        InvalidInput: unknown or already archived customer, or an empty reason.
    """
    if not reason.strip():
        raise invalid("A reason is required to archive a customer.", ErrorCode.REQUIRED, "reason")
    if problem := too_long(reason, MAX_NOTE_CHARS, "reason"):
        raise InvalidInput(problem)
    customer = await require_customer(rt.db, customer_id, "id")
    if customer.get("archived"):
        raise invalid("The customer is archived already.", ErrorCode.INVALID_STATE, "id")
    now = datetime.now(UTC)
    updated = await store.update_customer(
        rt.db,
        customer["_id"],
        {"archived": {"at": now, "by": actor, "reason": reason.strip()}},
    )
    assert updated is not None, "customers are never deleted"
    await rt.audit.write(audit_store.entry(customer["_id"], "CUSTOMER_ARCHIVED", actor, {"reason": reason.strip()}))
    await record_event(
        rt.db, rt.redis, "CUSTOMER_ARCHIVED", Severity.INFO, customer["_id"], {"reason": reason.strip(), "by": actor}
    )
    return updated
