"""The GraphQL schema: one Query, Mutation and Subscription assembled from the areas."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import Info

from api import ids
from schema.audit import MutationAudit
from schema.credit import CreditMutation
from schema.customers import CustomerMutation, CustomerQuery, load_customer
from schema.documents import DocumentMutation, DocumentQuery, load_certificate, load_document
from schema.ledger import LedgerMutation
from schema.node import Node
from schema.orders import OrderMutation, OrderQuery, load_order
from schema.permissions import IsAuthenticated
from schema.reports import ReportQuery
from schema.risk import WarningMutation, WarningQuery, load_warning
from schema.subscriptions import Subscription

# Each public id's prefix names its type (api/ids.py); this finds the loader for it.
NODE_LOADERS: dict[str, Callable[[Info, str], Awaitable[Node | None]]] = {
    "Customer": load_customer,
    "QualificationDocument": load_document,
    "Certificate": load_certificate,
    "Order": load_order,
    "Warning": load_warning,
}


@strawberry.type
class NodeQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        decoded = ids.decode_id(id)
        return await NODE_LOADERS[decoded[0]](info, id) if decoded else None


@strawberry.type
class Query(NodeQuery, CustomerQuery, DocumentQuery, OrderQuery, WarningQuery, ReportQuery):
    pass


@strawberry.type
class Mutation(
    CustomerMutation,
    DocumentMutation,
    LedgerMutation,
    CreditMutation,
    OrderMutation,
    WarningMutation,
):
    pass


def build_schema(depth_limit: int = 10, max_aliases: int = 15, max_tokens: int = 2000) -> strawberry.Schema:
    """Build the schema with the query limits the deployment sets.

    The depth, alias and token limits bound what one request may ask for before any
    of it runs: 200 aliases of ``riskReport`` are refused, not computed.
    """
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            # Clients send the same few operations over and over (a burst of 200 orders is
            # one text): parse and validate each text once, not once per request.
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
            lambda: QueryDepthLimiter(max_depth=depth_limit),
            MutationAudit,
            # Strawberry logs the original exception; the client sees no internals.
            lambda: MaskErrors(should_mask_error=is_system_error, error_message="Internal error."),
        ],
    )


def is_system_error(error: GraphQLError) -> bool:
    """Unexpected exceptions are masked; validation and permission errors are not."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)
