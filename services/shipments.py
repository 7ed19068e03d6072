"""Shipments: an approved order's goods leave only after the customer is checked again.

Between approval and shipment a customer can go overdue, be blocked or lose a licence;
``scoring.shipment`` decides, this module claims the quantities on the order, stores
the shipment once per reference and tells subscribers (SHIPMENT_RELEASED / _HELD).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from bson import ObjectId

from infra import ids
from infra.events import record_events
from infra.runtime import Runtime
from scoring.codes import Severity
from scoring.gate import OrderRequestLine
from scoring.shipment import ShipmentCustomer, decide_shipment
from services.errors import MAX_CODE_CHARS, MAX_NOTE_CHARS, ErrorCode, InvalidInput, Problem, invalid, too_long
from services.facts import trading_record
from services.orders import APPROVED
from store import audit as audit_store
from store import orders as order_store
from store import shipments as store

RELEASED, HELD = "RELEASED", "HELD"
# Claim attempts before asking the caller to retry: each miss is another shipment of
# the same order claiming at the same instant.
MAX_CLAIMS = 20


@dataclass(frozen=True, slots=True)
class ShipLine:
    sku: str
    quantity: int


def remaining(order: dict[str, Any]) -> list[int]:
    """Per order line, the quantity no shipment has claimed yet."""
    shipped = order.get("shipped_qty") or [0] * len(order["lines"])
    return [line["quantity"] - done for line, done in zip(order["lines"], shipped, strict=True)]


def _quantities(order: dict[str, Any], lines: list[ShipLine] | None) -> list[int]:
    """What this shipment takes from each order line (all that remains when no lines given)."""
    left = remaining(order)
    if lines is None:
        if not any(left):
            raise invalid("Everything on this order has shipped.", ErrorCode.INVALID_STATE, "orderId")
        return left
    if not lines:
        raise invalid("A shipment needs at least one line.", ErrorCode.REQUIRED, "lines")
    take = [0] * len(left)
    problems: list[Problem] = []
    for i, ship in enumerate(lines):
        if ship.quantity <= 0:
            problems.append(
                Problem(f"Line {i + 1}: quantity must be more than zero.", ErrorCode.INVALID, f"lines.{i}.quantity")
            )
            continue
        want = ship.quantity
        # An SKU may appear on several order lines: fill them in order.
        for j, line in enumerate(order["lines"]):
            if line["sku"] == ship.sku.strip() and want:
                step = min(want, left[j] - take[j])
                take[j] += step
                want -= step
        if not any(line["sku"] == ship.sku.strip() for line in order["lines"]):
            problems.append(
                Problem(f"Line {i + 1}: the order has no SKU {ship.sku}.", ErrorCode.NOT_FOUND, f"lines.{i}.sku")
            )
        elif want:
            problems.append(
                Problem(
                    f"Line {i + 1}: only {ship.quantity - want} of {ship.sku} remain to ship.",
                    ErrorCode.INVALID,
                    f"lines.{i}.quantity",
                )
            )
    if problems:
        raise InvalidInput(*problems)
    return take


async def _facts(rt: Runtime, customer_id: ObjectId, today: date) -> ShipmentCustomer:
    record = await trading_record(rt.db, customer_id)
    return ShipmentCustomer(
        blocked=record.blocked,
        max_days_overdue=record.max_days_overdue(today),
        certificates=record.held_certificates(),
    )


def _same(existing: dict[str, Any], lines: list[ShipLine] | None) -> bool:
    if lines is None:
        return existing.get("all_remaining", False)
    return [(x["sku"], x["quantity"]) for x in existing.get("requested", [])] == [
        (x.sku.strip(), x.quantity) for x in lines
    ]


def shipment_event(doc: dict[str, Any]) -> tuple[str, Severity, ObjectId, dict[str, Any]]:
    """The risk event of a shipment's outcome as ``(type, severity, customer, payload)``.

    SHIPMENT_RELEASED (INFO) when it was released, SHIPMENT_HELD (MEDIUM) otherwise.
    """
    released = doc["status"] == RELEASED
    return (
        "SHIPMENT_RELEASED" if released else "SHIPMENT_HELD",
        Severity.INFO if released else Severity.MEDIUM,
        doc["customer_id"],
        {
            "shipmentId": ids.encode_id("Shipment", doc["_id"]),
            "orderId": ids.encode_id("Order", doc["order_id"]),
            "externalRef": doc["external_ref"],
            "status": doc["status"],
            "holdReasons": doc["hold_reasons"],
        },
    )


def _audit(doc: dict[str, Any], action: str, actor: str, note: str | None) -> dict[str, Any]:
    return audit_store.entry(
        doc["customer_id"],
        action,
        actor,
        {
            "shipmentId": ids.encode_id("Shipment", doc["_id"]),
            "orderId": ids.encode_id("Order", doc["order_id"]),
            "externalRef": doc["external_ref"],
            "holdReasons": doc["hold_reasons"],
            "note": note,
        },
    )


async def request_shipment(
    rt: Runtime,
    order_id: ObjectId | None,
    external_ref: str,
    lines: list[ShipLine] | None,
    *,
    actor: str,
    today: date,
) -> tuple[dict[str, Any], bool]:
    """Check the customer again and release or hold a shipment; returns it and whether it is new.

    Raises:
        InvalidInput: empty or long reference, unknown order, an order that is not
            approved (held, rejected, cancelled), more than remains, or the reference
            reused for other lines.
    """
    ref = external_ref.strip()
    if not ref:
        raise invalid("External reference must not be empty.", ErrorCode.REQUIRED, "externalRef")
    if problem := too_long(ref, MAX_CODE_CHARS, "externalRef"):
        raise InvalidInput(problem)
    order = await order_store.get_order(rt.db, order_id) if order_id is not None else None
    if order is None:
        raise invalid("No order with this id.", ErrorCode.NOT_FOUND, "orderId")
    existing = await store.find_by_ref(rt.db, order["_id"], ref)
    if existing is not None:
        if _same(existing, lines):
            return existing, False
        raise invalid(f"Shipment {ref} already exists with other lines.", ErrorCode.DUPLICATE, "externalRef")
    for _ in range(MAX_CLAIMS):
        if order["status"] != APPROVED:
            raise invalid(
                f"The order is {order['status']}; only approved orders ship.", ErrorCode.INVALID_STATE, "orderId"
            )
        take = _quantities(order, lines)
        shipped = [a + b for a, b in zip(order.get("shipped_qty") or [0] * len(take), take, strict=True)]
        claimed = await store.claim_quantities(rt.db, order["_id"], int(order.get("ship_version") or 0), shipped)
        if claimed is not None:
            break
        order = await order_store.get_order(rt.db, order["_id"]) or order
    else:
        raise invalid(
            "This order is shipping too fast to decide now; send the same shipment again.", ErrorCode.RETRY, "orderId"
        )
    shipped_lines = [
        {**{k: line[k] for k in ("sku", "device_class", "category", "unit_price")}, "line": j, "quantity": q}
        for j, (line, q) in enumerate(zip(order["lines"], take, strict=True))
        if q
    ]
    facts = await _facts(rt, order["customer_id"], today)
    decision = decide_shipment(
        tuple(
            OrderRequestLine(x["device_class"], x["category"], x["unit_price"] * x["quantity"]) for x in shipped_lines
        ),
        facts,
        today,
        rt.policy,
    )
    now = datetime.now(UTC)
    doc = {
        "_id": ObjectId(),
        "order_id": order["_id"],
        "customer_id": order["customer_id"],
        "external_ref": ref,
        "ship_key": store.ship_key(order["_id"], ref),
        "lines": shipped_lines,
        "requested": [{"sku": x.sku.strip(), "quantity": x.quantity} for x in lines] if lines is not None else [],
        "all_remaining": lines is None,
        "status": RELEASED if decision.released else HELD,
        "hold_reasons": [r.value for r in decision.hold_reasons],
        "requested_by": actor,
        "requested_at": now,
        "shipped_at": now if decision.released else None,
        "decided_by": "system:shipment" if decision.released else None,
        "decision_note": None,
    }
    if not await store.insert_shipment(rt.db, doc):
        # The same reference was stored a moment ago by another request: give our claim back.
        await _unclaim(rt, order["_id"], take)
        stored = await store.find_by_ref(rt.db, order["_id"], ref)
        assert stored is not None, "a duplicate key means the shipment exists"
        return stored, False
    await asyncio.gather(
        rt.audit.write(_audit(doc, "SHIPMENT_" + doc["status"], actor, ", ".join(doc["hold_reasons"]) or None)),
        record_events(rt.db, rt.redis, [shipment_event(doc)]),
    )
    return doc, True


async def _unclaim(rt: Runtime, order_id: ObjectId, take: list[int]) -> None:
    for _ in range(MAX_CLAIMS):
        order = await order_store.get_order(rt.db, order_id)
        if order is None:
            return
        shipped = [a - b for a, b in zip(order.get("shipped_qty") or [0] * len(take), take, strict=True)]
        if await store.claim_quantities(rt.db, order_id, int(order.get("ship_version") or 0), shipped):
            return


async def release_shipment(rt: Runtime, shipment_id: ObjectId | None, note: str, *, actor: str) -> dict[str, Any]:
    """A credit manager releases a held shipment, with a mandatory note.

    Raises:
        InvalidInput: empty note, unknown shipment, or a shipment that is not held.
    """
    if not note.strip():
        raise invalid("A note is required to release a shipment.", ErrorCode.REQUIRED, "note")
    if problem := too_long(note, MAX_NOTE_CHARS, "note"):
        raise InvalidInput(problem)
    doc = await store.get_shipment(rt.db, shipment_id) if shipment_id is not None else None
    if doc is None:
        raise invalid("No shipment with this id.", ErrorCode.NOT_FOUND, "id")
    released = await store.release_held(
        rt.db,
        doc["_id"],
        {"status": RELEASED, "shipped_at": datetime.now(UTC), "decided_by": actor, "decision_note": note.strip()},
    )
    if released is None:
        raise invalid(f"The shipment is {doc['status']}, not held.", ErrorCode.INVALID_STATE, "id")
    await asyncio.gather(
        rt.audit.write(_audit(released, "SHIPMENT_RELEASED", actor, note.strip())),
        record_events(rt.db, rt.redis, [shipment_event(released)]),
    )
    return released
