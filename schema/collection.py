"""Collection tasks in GraphQL: the work list finance chases overdue customers with."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from infra import ids
from schema.errors import UserError, run_mutation
from schema.node import Node
from schema.pagination import DEFAULT_PAGE, Connection, OrderDirection, connection_from, ordering_for, window_for
from schema.permissions import FINANCE, IsAuthenticated
from services import collection as service
from store import collection_tasks as store
from store import dates

if TYPE_CHECKING:
    from schema.customers import Customer


@strawberry.enum(description="Where a collection task stands. OPEN: nobody has acted yet.")
class CollectionTaskStatus(Enum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    PROMISED = strawberry.enum_value("PROMISED", description="The customer promised to pay by `promisedOn`.")
    DONE = "DONE"
    ESCALATED = strawberry.enum_value(
        "ESCALATED", description="Handed up, by a collector or because a promise to pay was broken."
    )


@strawberry.type
class CollectionNote:
    at: datetime
    by: str
    text: str


@strawberry.type(description="One customer's overdue receivables to collect; one open task per customer.")
class CollectionTask(Node):
    doc: strawberry.Private[dict[str, Any]]
    invoices: list[str] = strawberry.field(description="Numbers of the overdue invoices.")
    amount: Decimal = strawberry.field(description="Overdue amount, kept current by rescoring.")
    assignee: str | None
    status: CollectionTaskStatus
    due_on: date
    promised_on: date | None
    notes: list[CollectionNote]

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("schema.customers")]:
        from schema.customers import Customer

        return Customer.from_doc(await info.context.customers.load(self.doc["customer_id"]))


def task_from(doc: dict[str, Any]) -> CollectionTask:
    return CollectionTask(
        id=strawberry.ID(ids.encode_id("CollectionTask", doc["_id"])),
        doc=doc,
        invoices=list(doc.get("invoices", [])),
        amount=doc.get("amount", Decimal("0.00")),
        assignee=doc.get("assignee"),
        status=CollectionTaskStatus(doc["status"]),
        due_on=dates.from_bson(doc["due_on"]) or date.min,
        promised_on=dates.from_bson(doc.get("promised_on")),
        notes=[CollectionNote(at=n["at"], by=n["by"], text=n["text"]) for n in doc.get("notes", [])],
    )


async def load_task(info: Info, public_id: str) -> CollectionTask | None:
    oid = ids.decode_oid(public_id, "CollectionTask")
    doc = await store.get_task(info.context.db, oid) if oid else None
    return task_from(doc) if doc else None


@strawberry.type
class CollectionTaskPayload:
    task: CollectionTask | None
    errors: list[UserError]


@strawberry.enum(description="What collection task lists can be sorted by.")
class CollectionTaskOrderField(Enum):
    DUE_ON = strawberry.enum_value("due_on", description="The day the task is due (the default, soonest first).")
    AMOUNT = strawberry.enum_value("amount", description="The overdue amount.")


@strawberry.input
class CollectionTaskOrder:
    field: CollectionTaskOrderField = CollectionTaskOrderField.DUE_ON
    direction: OrderDirection = OrderDirection.ASC


@strawberry.type
class CollectionQuery:
    @strawberry.field(permission_classes=[IsAuthenticated], description="Collection tasks, soonest due first.")
    async def collection_tasks(
        self,
        info: Info,
        assignee: str | None = None,
        status: list[CollectionTaskStatus] | None = None,
        customer_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        order_by: CollectionTaskOrder | None = None,
    ) -> Connection[CollectionTask]:
        o = order_by or CollectionTaskOrder()
        name, sort = ordering_for("collectionTasks", o.field, o.direction)
        window = window_for(name, first, after, last, before)
        query = store.tasks_filter(
            assignee=assignee,
            statuses=[s.value for s in status] if status else None,
            customer_id=ids.decode_oid(customer_id, "Customer") if customer_id else None,
        )
        page = await store.page_tasks(info.context.db, query, sort, window, DEFAULT_PAGE)
        return connection_from(page, name, sort, task_from)


@strawberry.type
class CollectionMutation:
    @strawberry.mutation(permission_classes=[FINANCE])
    async def assign_collection_task(self, info: Info, id: strawberry.ID, assignee: str) -> CollectionTaskPayload:
        doc, errors = await run_mutation(
            lambda: service.assign_task(
                info.context.runtime, ids.decode_oid(id, "CollectionTask"), assignee, actor=info.context.actor
            )
        )
        return CollectionTaskPayload(task=task_from(doc) if doc else None, errors=errors)

    @strawberry.mutation(permission_classes=[FINANCE])
    async def update_collection_task(
        self,
        info: Info,
        id: strawberry.ID,
        status: CollectionTaskStatus,
        note: str,
        promised_on: date | None = None,
    ) -> CollectionTaskPayload:
        doc, errors = await run_mutation(
            lambda: service.update_task(
                info.context.runtime,
                ids.decode_oid(id, "CollectionTask"),
                status.value,
                note,
                promised_on,
                actor=info.context.actor,
                today=datetime.now(UTC).date(),
            )
        )
        return CollectionTaskPayload(task=task_from(doc) if doc else None, errors=errors)
