"""The GraphQL schema: one Query, Mutation and Subscription assembled from the areas."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import Info

from infra import ids
from schema.audit import audit_mutations
from schema.collection import CollectionMutation, CollectionQuery, load_task
from schema.credit import CreditMutation
from schema.credit_notes import CreditNoteMutation
from schema.customer_changes import CustomerChangeMutation
from schema.customers import CustomerMutation, CustomerQuery, load_customer
from schema.documents import DocumentMutation, DocumentQuery, load_certificate, load_document
from schema.events import EventQuery
from schema.feed import FeedQuery
from schema.fulfilment import FulfilmentMutation, FulfilmentQuery, load_shipment
from schema.groups import GroupMutation, GroupQuery, load_group
from schema.ledger import LedgerMutation
from schema.limit_requests import LimitRequestMutation, LimitRequestQuery, load_limit_request
from schema.node import Node
from schema.notifications import NotificationMutation, NotificationQuery
from schema.onboarding import OnboardingMutation, OnboardingQuery
from schema.orders import OrderMutation, OrderQuery, load_order
from schema.permissions import IsAuthenticated
from schema.report_lists import ReportListQuery
from schema.reporting import MaskInternalErrors, MedcreditSchema, is_system_error
from schema.reports import ReportQuery
from schema.risk import WarningMutation, WarningQuery, load_warning
from schema.scalars import SCALAR_OVERRIDES
from schema.shared_results import SharedEventExecutionContext
from schema.signals import SignalMutation
from schema.subscriptions import Subscription

__all__ = ["build_schema", "is_system_error", "served_sdl"]

# Each public id's prefix names its type (infra/ids.py); this finds the loader for it.
NODE_LOADERS: dict[str, Callable[[Info, str], Awaitable[Node | None]]] = {
    "Customer": load_customer,
    "QualificationDocument": load_document,
    "Certificate": load_certificate,
    "Order": load_order,
    "Warning": load_warning,
    "Shipment": load_shipment,
    "LimitRequest": load_limit_request,
    "CustomerGroup": load_group,
    "CollectionTask": load_task,
}


@strawberry.type
class NodeQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        decoded = ids.decode_id(id)
        loader = NODE_LOADERS.get(decoded[0]) if decoded else None  # some ids (webhooks) are not nodes
        return await loader(info, id) if loader else None


@strawberry.type
class Query(
    NodeQuery,
    CustomerQuery,
    DocumentQuery,
    OrderQuery,
    WarningQuery,
    ReportQuery,
    EventQuery,
    FulfilmentQuery,
    LimitRequestQuery,
    GroupQuery,
    NotificationQuery,
    CollectionQuery,
    FeedQuery,
    OnboardingQuery,
    ReportListQuery,
):
    pass


@strawberry.type
class Mutation(
    CustomerMutation,
    DocumentMutation,
    LedgerMutation,
    CreditMutation,
    OrderMutation,
    WarningMutation,
    FulfilmentMutation,
    CreditNoteMutation,
    LimitRequestMutation,
    CustomerChangeMutation,
    GroupMutation,
    NotificationMutation,
    CollectionMutation,
    SignalMutation,
    OnboardingMutation,
):
    pass


audit_mutations(Mutation)


def build_schema(
    depth_limit: int = 10,
    max_aliases: int = 15,
    max_tokens: int = 2000,
    extra_extensions: Sequence[type[SchemaExtension]] = (),
) -> strawberry.Schema:
    """Build the schema with the query limits the deployment sets, and the edge's own extensions.

    The depth, alias and token limits bound what one request may ask for before any
    of it runs: 200 aliases of ``riskReport`` are refused, not computed.
    """
    limit_rules = [
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
        *QueryDepthLimiter(max_depth=depth_limit).validation_rules,
    ]
    return MedcreditSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Live events: one execution per event and query shape, not one per subscriber.
        execution_context_class=SharedEventExecutionContext,
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=[
            # Clients send the same few operations over and over (a thousand screens, a burst of
            # 200 orders): parse and validate each text once, not once per request.
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            # One rule list built here, not per request: the validation cache is keyed by the
            # rule classes, and MaxAliasesLimiter/QueryDepthLimiter make a new class each time
            # they are constructed, which made every request miss the cache (2/3 of a
            # submitOrder's CPU went to validating the same text again).
            lambda: AddValidationRules(limit_rules),
            # The schema logs the original exception; the client sees no internals.
            MaskInternalErrors,
            *extra_extensions,
        ],
    )


def served_sdl() -> str:
    """The served schema as SDL, as ``medcredit schema`` prints it and docs/schema.graphql keeps it."""
    from strawberry.printer import print_schema

    header = (
        "# The medcredit GraphQL schema as served at /graphql. Generated by `medcredit schema`;\n"
        "# do not edit (a test fails when it drifts from the code). Point codegen tools here.\n\n"
    )
    return header + print_schema(build_schema()) + "\n"
