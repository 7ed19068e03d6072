"""Indexes, created at start-up by every process that opens the database.

Shapes are chosen for the embedded engine too (see infra/embedded_engine.py): single-field
unique indexes on string fields only, and an index on every field a hot query or
update filters on. A compound unique index or a unique numeric field would make every
insert scan its collection there.
"""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from store.connection import Database

INDEXES: dict[str, list[IndexModel]] = {
    "customers": [
        IndexModel([("code", ASCENDING)], unique=True, name="code_unique"),
        IndexModel(
            [("uscc", ASCENDING)],
            unique=True,
            name="uscc_unique",
            partialFilterExpression={"uscc": {"$type": "string"}},
        ),
        IndexModel([("type", ASCENDING)], name="type"),
        IndexModel([("region", ASCENDING)], name="region"),
        IndexModel([("legal_name", ASCENDING)], name="legal_name"),
        IndexModel([("onboarding.status", ASCENDING)], name="onboarding_status"),
    ],
    "outbox": [IndexModel([("sent", ASCENDING)], name="sent")],
    "invoices": [
        IndexModel([("customer_id", ASCENDING)], name="customer"),
        # The overdue list and the monthly trend read open invoices by due and issue date.
        IndexModel([("due_on", ASCENDING)], name="due_on"),
        IndexModel([("issued_on", ASCENDING)], name="issued_on"),
    ],
    "payments": [IndexModel([("customer_id", ASCENDING)], name="customer")],
    "certificates": [
        IndexModel([("key", ASCENDING)], unique=True, name="key_unique"),
        IndexModel([("customer_id", ASCENDING)], name="customer"),
        IndexModel([("valid_until", ASCENDING)], name="valid_until"),
    ],
    "warnings": [
        IndexModel(
            [("active_key", ASCENDING)],
            unique=True,
            name="active_key_unique",
            partialFilterExpression={"active_key": {"$type": "string"}},
        ),
        IndexModel([("customer_id", ASCENDING)], name="customer"),
        IndexModel([("raised_at", ASCENDING)], name="raised_at"),
    ],
    "documents": [
        IndexModel([("content_key", ASCENDING)], unique=True, name="content_key_unique"),
        IndexModel([("status", ASCENDING)], name="status"),
        IndexModel([("customer_id", ASCENDING)], name="customer"),
        IndexModel([("uploaded_at", ASCENDING)], name="uploaded_at"),
    ],
    "orders": [
        IndexModel([("ref_key", ASCENDING)], unique=True, name="ref_key_unique"),
        IndexModel([("customer_id", ASCENDING)], name="customer"),
        IndexModel([("status", ASCENDING)], name="status"),
        IndexModel([("submitted_at", ASCENDING)], name="submitted_at"),
    ],
    "shipments": [
        IndexModel([("ship_key", ASCENDING)], unique=True, name="ship_key_unique"),
        IndexModel([("order_id", ASCENDING)], name="order"),
    ],
    "credit_notes": [IndexModel([("customer_id", ASCENDING)], name="customer")],
    "customer_groups": [IndexModel([("code", ASCENDING)], unique=True, name="code_unique")],
    "limit_requests": [
        IndexModel([("customer_id", ASCENDING)], name="customer"),
        IndexModel([("status", ASCENDING)], name="status"),
    ],
    "events": [IndexModel([("customer_id", ASCENDING)], name="customer")],
    "score_history": [IndexModel([("customer_id", ASCENDING)], name="customer")],
    "limit_changes": [IndexModel([("customer_id", ASCENDING)], name="customer")],
    "audit": [
        IndexModel([("customer_id", ASCENDING)], name="customer"),
        IndexModel([("at", ASCENDING)], name="at"),
    ],
    # Registry records use the licence number as their string _id (cheap inserts on the
    # embedded engine); lookups also go by holder credit code and by serial.
    "registry": [
        IndexModel([("uscc", ASCENDING)], name="uscc"),
        IndexModel([("serial", ASCENDING)], name="serial"),
    ],
    # Notification deliveries (store/deliveries.py): due ones are claimed by time.
    "deliveries": [
        IndexModel([("next_attempt_at", ASCENDING)], name="next_attempt_at"),
        IndexModel([("warning_id", ASCENDING)], name="warning"),
    ],
    "collection_tasks": [
        IndexModel(
            [("open_key", ASCENDING)],
            unique=True,
            name="open_key_unique",
            partialFilterExpression={"open_key": {"$type": "string"}},
        ),
        IndexModel([("assignee", ASCENDING)], name="assignee"),
    ],
    "risk_signals": [
        IndexModel([("customer_id", ASCENDING)], name="customer"),
        # Ratings pulled from a provider: one per provider, company and rating day.
        IndexModel(
            [("key", ASCENDING)], unique=True, name="key_unique", partialFilterExpression={"key": {"$type": "string"}}
        ),
    ],
}


async def ensure_indexes(db: Database) -> None:
    """Create every index the store relies on; safe to run again."""
    for collection, models in INDEXES.items():
        await db[collection].create_indexes(models)
