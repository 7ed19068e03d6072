"""The per-request context: the caller, the database and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bson import ObjectId
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from infra.principal import Principal
from store import customers as customer_store

if TYPE_CHECKING:
    from infra.runtime import Runtime


def _customer_loader(runtime: Runtime) -> DataLoader[ObjectId, dict[str, Any] | None]:
    async def load(keys: list[ObjectId]) -> list[dict[str, Any] | None]:
        found = await customer_store.get_customers(runtime.db, list(keys))
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    runtime: Runtime
    user: Principal | None
    # Set by strawberry from the graphql-transport-ws connection_init payload.
    connection_params: dict[str, Any] | None = None
    customers: DataLoader[ObjectId, dict[str, Any] | None] = field(init=False)

    def __post_init__(self) -> None:
        # Loaders cache per request only, so one request never sees another's writes stale.
        self.customers = _customer_loader(self.runtime)

    @property
    def db(self) -> Any:
        return self.runtime.db

    @property
    def actor(self) -> str:
        return self.user.subject if self.user else "anonymous"
