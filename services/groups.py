"""Customer groups (related parties): one limit over several customers.

A hospital group or a distributor with subsidiaries gets one group limit besides each
member's own: exposure rolls up, and the order gate holds an order that fits the
member but not the group (GROUP_LIMIT). A member blocked for severe overdue makes its
siblings' risk visible (RELATED_PARTY_RISK on each of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bson import ObjectId

from common.roles import Role
from infra import ids
from infra.events import record_event
from infra.runtime import Runtime
from scoring import ledger as receivables
from scoring.codes import Severity
from scoring.money import CENT
from scoring.warnings import WarningSpec
from services.credit import Profile
from services.customers import require_customer
from services.errors import (
    MAX_CODE_CHARS,
    MAX_NAME_CHARS,
    ErrorCode,
    InvalidInput,
    Problem,
    amount_problem,
    invalid,
    too_long,
)
from services.facts import to_invoice
from services.requests import request_rescore
from store import audit as audit_store
from store import customers as customer_store
from store import groups as store
from store import ledger as ledger_store
from store import warnings as warning_store
from store.connection import Database

ZERO = Decimal("0.00")
RELATED_PARTY_RISK = "RELATED_PARTY_RISK"
# The member's warning that makes its siblings' risk visible.
SEVERE_KINDS = ("SEVERE_OVERDUE",)


@dataclass(frozen=True, slots=True)
class GroupPosition:
    """A group's credit as the gate needs it, read just before a decision."""

    group_id: ObjectId
    receivables: Decimal
    available: Decimal


async def create_group(rt: Runtime, code: str, name: str, credit_limit: Decimal, *, actor: str) -> dict[str, Any]:
    """Create a group with its own limit.

    Raises:
        InvalidInput: empty or long code or name, a negative or fractional-cent limit,
            or a code another group holds.
    """
    problems: list[Problem] = []
    if not code.strip():
        problems.append(Problem("Group code must not be empty.", ErrorCode.REQUIRED, "code"))
    if not name.strip():
        problems.append(Problem("Group name must not be empty.", ErrorCode.REQUIRED, "name"))
    for value, limit, field in ((code, MAX_CODE_CHARS, "code"), (name, MAX_NAME_CHARS, "name")):
        if problem := too_long(value, limit, field):
            problems.append(problem)
    if problem := amount_problem(credit_limit, "creditLimit", label="Limit", zero_allowed=True):
        problems.append(problem)
    if problems:
        raise InvalidInput(*problems)
    document = {
        "_id": ObjectId(),
        "code": code.strip(),
        "name": name.strip(),
        "credit_limit": credit_limit.quantize(CENT),
        "orders_reserved": ZERO,
        "created_at": datetime.now(UTC),
        "created_by": actor,
    }
    try:
        return await store.insert_group(rt.db, document)
    except store.DuplicateGroup as exc:
        raise invalid("Another group already has this code.", ErrorCode.DUPLICATE, "code") from exc


async def set_customer_group(
    rt: Runtime, customer_id: ObjectId | None, group_id: ObjectId | None, *, clear: bool, actor: str
) -> dict[str, Any]:
    """Put a customer in a group (or in none with ``clear``); its reserved orders move along.

    Raises:
        InvalidInput: unknown customer or group.
    """
    customer = await require_customer(rt.db, customer_id)
    group = None
    if not clear:
        group = await store.get_group(rt.db, group_id) if group_id is not None else None
        if group is None:
            raise invalid("No group with this id.", ErrorCode.NOT_FOUND, "groupId")
    new_id = group["_id"] if group else None
    before = await store.set_group_of(rt.db, customer["_id"], new_id)
    assert before is not None, "customers are never deleted"
    old_id = before.get("group_id")
    if old_id != new_id:
        reserved = before.get("orders_reserved", ZERO)
        if old_id is not None and reserved:
            await store.change_group_reserved(rt.db, old_id, -reserved)
        if new_id is not None and reserved:
            await store.change_group_reserved(rt.db, new_id, reserved)
        await rt.audit.write(
            audit_store.entry(
                customer["_id"],
                "CUSTOMER_GROUP_CHANGED",
                actor,
                {
                    "before": ids.encode_id("CustomerGroup", old_id) if old_id else None,
                    "after": ids.encode_id("CustomerGroup", new_id) if new_id else None,
                },
            )
        )
        await request_rescore(rt, customer["_id"], "group changed")
    updated = await customer_store.get_customer(rt.db, customer["_id"])
    assert updated is not None
    return updated


async def group_position(db: Database, customer: dict[str, Any]) -> GroupPosition | None:
    """The customer's group credit before a decision; None outside any group."""
    group_id = customer.get("group_id")
    group = await store.get_group(db, group_id) if group_id is not None else None
    if group is None:
        return None
    members = await store.members_of(db, group["_id"])
    owed = sum((m.get("open_receivables", ZERO) for m in members), ZERO)
    exposure = owed + group.get("orders_reserved", ZERO)
    return GroupPosition(group["_id"], owed, group.get("credit_limit", ZERO) - exposure)


async def reserve_with_group(db: Database, customer_id: ObjectId, amount: Decimal, group: GroupPosition | None) -> bool:
    """Reserve ``amount`` on the group (when in one) and on the customer, or on neither.

    The group goes first: a member's reservation that then misses gives it back.
    """
    if group is not None and not await store.reserve_group_credit(db, group.group_id, amount, group.receivables):
        return False
    if await customer_store.reserve_credit(db, customer_id, amount):
        return True
    if group is not None:
        await store.change_group_reserved(db, group.group_id, -amount)
    return False


async def group_profile(db: Database, group: dict[str, Any], today: date) -> Profile:
    """The group's rolled-up credit: its limit, members' exposure, aging of members' invoices."""
    members = await store.members_of(db, group["_id"])
    owed = sum((m.get("open_receivables", ZERO) for m in members), ZERO)
    invoices = []
    for member in members:
        invoices.extend(await ledger_store.invoices_of(db, member["_id"], open_only=True))
    open_invoices = tuple(to_invoice(d) for d in invoices)
    limit = group.get("credit_limit", ZERO)
    exposure = owed + group.get("orders_reserved", ZERO)
    terms = max((customer_store.payment_term_days(m) for m in members), default=0)
    return Profile(limit, exposure, limit - exposure, terms, receivables.aging(open_invoices, today))


async def related_party_specs(rt: Runtime, customer: dict[str, Any]) -> list[WarningSpec]:
    """RELATED_PARTY_RISK for a member whose sibling is blocked for severe overdue."""
    group_id = customer.get("group_id")
    if group_id is None or not rt.policy.lifecycle.related_party_warning:
        return []
    siblings = [m for m in await store.members_of(rt.db, group_id) if m["_id"] != customer["_id"]]
    troubled = []
    for sibling in siblings:
        if not sibling.get("blocked"):
            continue
        active = await warning_store.active_warnings_of(rt.db, sibling["_id"])
        if any(w["kind"] in SEVERE_KINDS for w in active):
            troubled.append(sibling)
    if not troubled:
        return []
    names = ", ".join(f"{s['legal_name']} ({s['code']})" for s in troubled)
    return [
        WarningSpec(
            kind=RELATED_PARTY_RISK,
            severity=Severity.HIGH,
            message=f"A related party in the same group is blocked for severe overdue: {names}.",
            notify_roles=(Role.CREDIT_MANAGER, Role.SALES),
            blocks_customer=False,
        )
    ]


async def tell_siblings(rt: Runtime, customer: dict[str, Any], blocked: bool) -> None:
    """A member's block changed: rescore its siblings (their related-party warning follows),
    and tell subscribers at group level."""
    group_id = customer.get("group_id")
    if group_id is None:
        return
    for sibling in await store.members_of(rt.db, group_id):
        if sibling["_id"] != customer["_id"]:
            await request_rescore(rt, sibling["_id"], "related party blocked" if blocked else "related party unblocked")
    if blocked:
        await record_event(
            rt.db,
            rt.redis,
            RELATED_PARTY_RISK,
            Severity.HIGH,
            customer["_id"],
            {"groupId": ids.encode_id("CustomerGroup", group_id), "blockedMember": customer["code"]},
        )
