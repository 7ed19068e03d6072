"""The per-request context: the caller, the database and fresh DataLoaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bson import ObjectId
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from infra.principal import Principal
from schema.pagination import DEFAULT_PAGE
from store import certificates as cert_store
from store import customers as customer_store
from store import documents as doc_store
from store import ledger as ledger_store
from store import warnings as warnings_store
from store.paging import Page, SortKey, Window, page_of_rows

if TYPE_CHECKING:
    from infra.runtime import Runtime


Rows = list[dict[str, Any]]
# Keys per read: 15 aliased pages of 100 would otherwise become one $in of 1,500 values,
# beyond what the embedded engine's SQL can express (its expression depth is 1,000).
MAX_BATCH = 500


def _customer_loader(runtime: Runtime) -> DataLoader[ObjectId, dict[str, Any] | None]:
    async def load(keys: list[ObjectId]) -> list[dict[str, Any] | None]:
        found = await customer_store.get_customers(runtime.db, list(keys))
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=MAX_BATCH)


def now_or_later[K, V, R](loader: DataLoader[K, V], key: K, convert: Callable[[V], R]) -> R | Awaitable[R]:
    """``convert`` of what ``loader`` holds for ``key``: now when this request loaded it
    already, else an awaitable of it (graphql-core awaits a resolver's awaitable result).

    Lets a field resolve without awaiting once a list resolver has loaded its whole
    page (``schema.prefetch``): an awaited field costs graphql-core a task per row, and
    those tasks were most of a page's time.
    """
    future = loader.cache_map.get(key) if loader.cache else None
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return convert(future.result())
    return _converted(loader.load(key), convert)


async def _converted[V, R](value: Awaitable[V], convert: Callable[[V], R]) -> R:
    return convert(await value)


def _per_customer(read_many: Callable[[list[ObjectId]], Awaitable[dict[ObjectId, Rows]]]) -> DataLoader[ObjectId, Rows]:
    """A loader of one list per customer: every customer a request touches in one read."""

    async def load(keys: list[ObjectId]) -> list[Rows]:
        found = await read_many(list(keys))
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=MAX_BATCH)


@dataclass(frozen=True, slots=True)
class DocumentsKey:
    """One customer's ``documents`` field as a list screen asks it: filter, order, a window from an end."""

    customer_id: ObjectId
    query: doc_store.DocumentQuery
    sort: SortKey
    window: Window


def _documents_loader(runtime: Runtime, default_size: int) -> DataLoader[DocumentsKey, Page]:
    """Pages of many customers' documents: one read per distinct filter and order."""

    async def load(keys: list[DocumentsKey]) -> list[Page]:
        groups: dict[tuple[doc_store.DocumentQuery, SortKey], list[ObjectId]] = {}
        for key in keys:
            groups.setdefault((key.query, key.sort), []).append(key.customer_id)
        rows = {
            group: await doc_store.documents_of_many(runtime.db, list(dict.fromkeys(oids)), *group)
            for group, oids in groups.items()
        }
        return [page_of_rows(rows[(k.query, k.sort)][k.customer_id], k.window, default_size) for k in keys]

    return DataLoader(load_fn=load, max_batch_size=MAX_BATCH)


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    runtime: Runtime
    user: Principal | None
    # Set by strawberry from the graphql-transport-ws connection_init payload.
    connection_params: dict[str, Any] | None = None
    customers: DataLoader[ObjectId, dict[str, Any] | None] = field(init=False)
    # A page of customers with these fields costs one read per field, not one per row.
    open_invoices: DataLoader[ObjectId, Rows] = field(init=False)
    certificates: DataLoader[ObjectId, Rows] = field(init=False)
    active_warnings: DataLoader[ObjectId, Rows] = field(init=False)
    all_warnings: DataLoader[ObjectId, Rows] = field(init=False)
    documents: DataLoader[DocumentsKey, Page] = field(init=False)

    def __post_init__(self) -> None:
        # Loaders cache per request only, so one request never sees another's writes stale.
        db = self.runtime.db
        self.customers = _customer_loader(self.runtime)
        self.open_invoices = _per_customer(lambda ids: ledger_store.open_invoices_of_many(db, ids))
        self.certificates = _per_customer(lambda ids: cert_store.certificates_of_many(db, ids))
        self.active_warnings = _per_customer(lambda ids: warnings_store.warnings_of_many(db, ids, active_only=True))
        self.all_warnings = _per_customer(lambda ids: warnings_store.warnings_of_many(db, ids, active_only=False))
        self.documents = _documents_loader(self.runtime, DEFAULT_PAGE)

    @property
    def db(self) -> Any:
        return self.runtime.db

    @property
    def actor(self) -> str:
        return self.user.subject if self.user else "anonymous"
