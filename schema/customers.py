"""Customer types, the customer queries and ``createCustomer``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from infra import ids
from schema.context import now_or_later
from schema.enums import CustomerType, RiskGrade
from schema.errors import UserError, run_mutation
from schema.node import Node
from schema.pagination import DEFAULT_PAGE, Connection, OrderDirection, connection_from, ordering_for, window_for
from schema.permissions import CREDIT_GRANTORS, CUSTOMER_ADMIN, IsAuthenticated
from schema.prefetch import prefetch_customer_fields
from scoring.ledger import DEFAULT_PAYMENT_TERM_DAYS
from services import credit as credit_service
from services import customers as service
from services.errors import (
    MAX_ATTRIBUTE_CHARS,
    MAX_ATTRIBUTE_DEPTH,
    MAX_ATTRIBUTES,
    MAX_CODE_CHARS,
    MAX_NAME_CHARS,
    ErrorCode,
    invalid,
)
from store import customers as store

if TYPE_CHECKING:
    from schema.documents import Certificate, DocumentFilter, DocumentOrder, QualificationDocument
    from schema.groups import CustomerGroup
    from schema.limit_requests import LimitRequest, ScoreHistoryEntry
    from schema.onboarding import Onboarding
    from schema.orders import Order, OrderFilter, OrderOrder
    from schema.risk import RiskAssessment, Warning, WarningFilter, WarningOrder
    from schema.signals import RiskSignal


@strawberry.type
class AgingBuckets:
    current: Decimal
    d1to30: Decimal
    d31to60: Decimal
    d61to90: Decimal
    over90: Decimal


@strawberry.type
class CreditProfile:
    limit: Decimal
    exposure: Decimal
    available: Decimal
    payment_term_days: int
    aging: AgingBuckets
    prepayment_required: bool = strawberry.field(
        default=False,
        description="New orders need payment in advance (the policy's response to a grade or warning): "
        "send `prepaymentReference` with `submitOrder`.",
    )


@strawberry.type
class Customer(Node):
    doc: strawberry.Private[dict[str, Any]]
    # Plain values are attributes, filled once: a field with a resolver costs the executor
    # several times more per row than reading an attribute.
    code: str
    legal_name: str
    uscc: str | None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Customer:
        return cls(
            id=strawberry.ID(ids.encode_id("Customer", doc["_id"])),
            doc=doc,
            code=str(doc["code"]),
            legal_name=str(doc["legal_name"]),
            uscc=doc.get("uscc"),
        )

    @strawberry.field
    def type(self) -> CustomerType:
        # A resolver, not an attribute: an unknown stored type fails this field, not the row.
        return service.CustomerType(self.doc["type"])

    @strawberry.field
    def region(self) -> str | None:
        return self.doc.get("region")

    @strawberry.field
    def attributes(self) -> JSON:
        return JSON(self.doc.get("attributes") or {})

    @strawberry.field
    def blocked(self) -> bool:
        return bool(self.doc.get("blocked", False))

    # credit, certificates, risk and warnings answer without awaiting when the value is
    # at hand (a list resolver loaded its page's, see schema.prefetch); otherwise they
    # return the awaitable load, which graphql-core awaits like an async resolver's.

    @strawberry.field
    def credit(self, info: Info) -> CreditProfile:
        # The ledger keeps each customer's open items on it; older records read their invoices.
        if credit_service.keeps_open_items(self.doc):
            return self._credit(None)
        return cast(CreditProfile, now_or_later(info.context.open_invoices, self.doc["_id"], self._credit))

    def _credit(self, invoices: list[dict[str, Any]] | None) -> CreditProfile:
        profile = credit_service.profile_from(self.doc, invoices, _today())
        return CreditProfile(
            limit=profile.limit,
            exposure=profile.exposure,
            available=profile.available,
            payment_term_days=profile.payment_term_days,
            aging=AgingBuckets(
                current=profile.aging.current,
                d1to30=profile.aging.d1to30,
                d31to60=profile.aging.d31to60,
                d61to90=profile.aging.d61to90,
                over90=profile.aging.over90,
            ),
            prepayment_required=bool(self.doc.get("prepayment_required")),
        )

    @strawberry.field(description="Outside signals about the customer, newest first.")
    async def risk_signals(self, info: Info) -> list[Annotated[RiskSignal, strawberry.lazy("schema.signals")]]:
        from schema.signals import signals_of

        return await signals_of(info, self.doc["_id"])

    @strawberry.field
    def certificates(self, info: Info) -> list[Annotated[Certificate, strawberry.lazy("schema.documents")]]:
        from schema.documents import certificates_from

        return cast(list[Certificate], now_or_later(info.context.certificates, self.doc["_id"], certificates_from))

    @strawberry.field(description="The onboarding file (首营审核) against its type's standard, assessed now.")
    async def onboarding(self, info: Info) -> Annotated[Onboarding, strawberry.lazy("schema.onboarding")]:
        from schema.onboarding import onboarding_for

        return await onboarding_for(info, self.doc)

    @strawberry.field
    def risk(self, info: Info) -> Annotated[RiskAssessment, strawberry.lazy("schema.risk")] | None:
        from schema.risk import risk_for

        return risk_for(self.doc)

    @strawberry.field
    def warnings(
        self, info: Info, active_only: bool | None = True
    ) -> list[Annotated[Warning, strawberry.lazy("schema.risk")]]:
        from schema.risk import warnings_from

        loader = info.context.all_warnings if active_only is False else info.context.active_warnings
        return cast(list[Warning], now_or_later(loader, self.doc["_id"], warnings_from))

    @strawberry.field(description="This customer's warnings as a connection (`filter.customerId` is ignored).")
    async def warnings_connection(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[WarningFilter, strawberry.lazy("schema.risk")] | None = None,
        order_by: Annotated[WarningOrder, strawberry.lazy("schema.risk")] | None = None,
    ) -> Connection[Annotated[Warning, strawberry.lazy("schema.risk")]]:
        from schema.risk import warnings_page

        return await warnings_page(info, self.doc["_id"], filter, order_by, first, after, last, before)

    @strawberry.field(description="This customer's uploaded documents, newest first by default.")
    async def documents(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[DocumentFilter, strawberry.lazy("schema.documents")] | None = None,
        order_by: Annotated[DocumentOrder, strawberry.lazy("schema.documents")] | None = None,
    ) -> Connection[Annotated[QualificationDocument, strawberry.lazy("schema.documents")]]:
        from schema.documents import documents_page

        return await documents_page(info, self.doc["_id"], filter, order_by, first, after, last, before)

    @strawberry.field(description="This customer's orders, newest first by default.")
    async def orders(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[OrderFilter, strawberry.lazy("schema.orders")] | None = None,
        order_by: Annotated[OrderOrder, strawberry.lazy("schema.orders")] | None = None,
    ) -> Connection[Annotated[Order, strawberry.lazy("schema.orders")]]:
        from schema.orders import orders_page

        return await orders_page(info, self.doc["_id"], filter, order_by, first, after, last, before)

    @strawberry.field(description="Archived customers keep their history; their orders and shipments are held.")
    def archived(self) -> bool:
        return bool(self.doc.get("archived"))

    @strawberry.field(description="The group of related parties this customer belongs to, if any.")
    async def group(self, info: Info) -> Annotated[CustomerGroup, strawberry.lazy("schema.groups")] | None:
        from schema.groups import group_of

        return await group_of(info, self.doc)

    @strawberry.field(description="Limit requests for this customer, newest first.")
    async def limit_requests(
        self, info: Info
    ) -> list[Annotated[LimitRequest, strawberry.lazy("schema.limit_requests")]]:
        from schema.limit_requests import limit_requests_of

        return await limit_requests_of(info, self.doc["_id"])

    @strawberry.field(description="Stored scores, one per scoring day, newest first.")
    async def score_history(
        self, info: Info, first: int = 30
    ) -> list[Annotated[ScoreHistoryEntry, strawberry.lazy("schema.limit_requests")]]:
        from schema.limit_requests import score_history_of

        return await score_history_of(info, self.doc["_id"], first)


def _today() -> date:
    return datetime.now(UTC).date()


@strawberry.enum(description="What `customers` can be sorted by.")
class CustomerOrderField(Enum):
    CREATED_AT = strawberry.enum_value("_id", description="When the customer was created (the default).")
    CODE = strawberry.enum_value("code", description="The seller's customer number.")
    LEGAL_NAME = strawberry.enum_value("legal_name", description="The registered name.")


@strawberry.input(description="How to sort customers; oldest first unless told otherwise.")
class CustomerOrder:
    field: CustomerOrderField = CustomerOrderField.CREATED_AT
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class CustomerFilter:
    type: CustomerType | None = None
    region: str | None = None
    grade: RiskGrade | None = None
    blocked: bool | None = None
    search: str | None = None


@strawberry.input
class CreateCustomerInput:
    code: str = strawberry.field(description=f"Unique; at most {MAX_CODE_CHARS} characters.")
    legal_name: str = strawberry.field(description=f"At most {MAX_NAME_CHARS} characters.")
    uscc: str | None = strawberry.field(default=None, description="The 18-character unified social credit code.")
    type: CustomerType
    region: str | None = strawberry.field(default=None, description=f"At most {MAX_NAME_CHARS} characters.")
    attributes: JSON | None = strawberry.field(
        default=None,
        description=f"A JSON object: at most {MAX_ATTRIBUTES} entries, {MAX_ATTRIBUTE_DEPTH} levels deep, "
        f"text values of at most {MAX_ATTRIBUTE_CHARS} characters.",
    )
    payment_term_days: int | None = DEFAULT_PAYMENT_TERM_DAYS
    credit_limit: Decimal | None = Decimal("0")


@strawberry.type
class CustomerPayload:
    customer: Customer | None
    errors: list[UserError]


async def load_customer(info: Info, public_id: str) -> Customer | None:
    oid = ids.decode_oid(public_id, "Customer")
    if oid is None:
        return None
    doc = await info.context.customers.load(oid)
    return Customer.from_doc(doc) if doc else None


@strawberry.type
class CustomerQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        return await load_customer(info, id)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Customers, oldest first by default. `first` defaults to 20 and at most 100 come "
        "back per page; with `last` and no `first` given, the last rows before `before` (or the end).",
    )
    async def customers(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: CustomerFilter | None = None,
        last: int | None = None,
        before: str | None = None,
        order_by: CustomerOrder | None = None,
    ) -> Connection[Customer]:
        if last is not None and not _given(info, "first"):
            first = None  # the contract's default `first: 20` must not clip a `last` page
        o = order_by or CustomerOrder()
        name, sort = ordering_for("customers", o.field, o.direction)
        window = window_for(name, first, after, last, before)
        f = filter or CustomerFilter()
        query = store.CustomerQuery(
            type=f.type.value if f.type else None,
            region=f.region,
            grade=f.grade.value if f.grade else None,
            blocked=f.blocked,
            search=f.search,
        )
        page = await store.page_customers(info.context.db, query, sort, window, DEFAULT_PAGE)
        await prefetch_customer_fields(info, page.rows)
        return connection_from(page, name, sort, Customer.from_doc)


def _given(info: Info, argument: str) -> bool:
    """Whether the request itself passed ``argument`` (rather than the schema default applying)."""
    node = info._raw_info.field_nodes[0]
    return any(arg.name.value == argument for arg in node.arguments or ())


@strawberry.type
class CustomerMutation:
    @strawberry.mutation(permission_classes=[CUSTOMER_ADMIN])
    async def create_customer(self, info: Info, input: CreateCustomerInput) -> CustomerPayload:
        attributes: object = input.attributes if input.attributes is not None else {}

        async def create() -> dict[str, Any]:
            if not isinstance(attributes, dict):
                raise invalid("Attributes must be a JSON object.", ErrorCode.INVALID, "attributes")
            new = service.NewCustomer(
                code=input.code,
                legal_name=input.legal_name,
                type=input.type,
                uscc=input.uscc,
                region=input.region,
                attributes=attributes,
                payment_term_days=DEFAULT_PAYMENT_TERM_DAYS
                if input.payment_term_days is None
                else input.payment_term_days,
                credit_limit=Decimal("0") if input.credit_limit is None else input.credit_limit,
            )
            user = info.context.user
            return await service.create_customer(
                info.context.runtime,
                new,
                actor=info.context.actor,
                may_grant_credit=user is not None and user.has_any(CREDIT_GRANTORS),
            )

        doc, errors = await run_mutation(create)
        return CustomerPayload(customer=Customer.from_doc(doc) if doc else None, errors=errors)
