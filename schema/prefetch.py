"""Load a page's per-customer fields before the rows resolve, so that rows resolve without awaiting.

With DataLoaders a page already costs one read per field, but every awaited field
still costs graphql-core a task per row (it gathers each row's awaited fields), and
on a page of 100 those tasks were a third of the request. So a list resolver, once it
has its page, loads the fields the query asks of its rows with ``load_many``; the
fields then find their values in the loaders (``schema.context.now_or_later``) and
return them directly. A field reached another way still awaits its loader.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Sequence
from typing import Any

from bson import ObjectId
from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from services import credit as credit_service


def _expanded(selections: Iterable[Selection]) -> list[SelectedField]:
    """The fields of ``selections``, with fragments opened."""
    fields: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, (FragmentSpread, InlineFragment)):
            fields.extend(_expanded(selection.selections))
        else:
            fields.append(selection)
    return fields


def row_fields(info: Info) -> list[SelectedField]:
    """The fields asked of each row of the connection being resolved (under ``edges.node`` or ``nodes``)."""
    rows: list[SelectedField] = []
    for connection in _expanded(info.selected_fields):
        for part in _expanded(connection.selections):
            if part.name == "nodes":
                rows.extend(_expanded(part.selections))
            elif part.name == "edges":
                for edge_part in _expanded(part.selections):
                    if edge_part.name == "node":
                        rows.extend(_expanded(edge_part.selections))
    return rows


async def prefetch_customer_fields(info: Info, customers: Sequence[dict[str, Any]]) -> None:
    """Load what the query asks of these customers' ``certificates``, ``warnings`` and ``credit``."""
    context = info.context
    ids: list[ObjectId] = [doc["_id"] for doc in customers]
    loads: list[Awaitable[Any]] = []
    for field in row_fields(info):
        if field.name == "certificates":
            loads.append(context.certificates.load_many(ids))
        elif field.name == "warnings":
            loader = context.all_warnings if field.arguments.get("activeOnly") is False else context.active_warnings
            loads.append(loader.load_many(ids))
        elif field.name == "credit":
            # Customers whose ledger keeps their open items need no invoices at all.
            older = [doc["_id"] for doc in customers if not credit_service.keeps_open_items(doc)]
            if older:
                loads.append(context.open_invoices.load_many(older))
    if ids and loads:
        await asyncio.gather(*loads)
