"""Every mutation leaves an audit row: who ran it, when, with what, and how it ended.

Services keep their own domain rows (a limit's before and after, a hold's reasons);
this extension adds one uniform ``MUTATION`` row per top-level mutation field, so a
request that changed nothing, was refused, or was forbidden is on record too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bson import ObjectId
from graphql import GraphQLError, GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from infra import ids
from store.audit import entry

ACTION = "MUTATION"
# Arguments are kept for the record, not as a copy of uploads or huge texts.
_MAX_TEXT = 200
_MAX_ITEMS = 50
_PAYLOAD_OBJECTS = ("customer", "order", "document", "warning")


def _recordable(value: Any, depth: int = 0) -> Any:
    if depth > 4:
        return "…"
    if isinstance(value, dict):
        return {str(k)[:_MAX_TEXT]: _recordable(v, depth + 1) for k, v in list(value.items())[:_MAX_ITEMS]}
    if isinstance(value, (list, tuple)):
        return [_recordable(v, depth + 1) for v in value[:_MAX_ITEMS]]
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, (str, Decimal)):
        text = str(value)
        return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"
    filename = getattr(value, "filename", None)
    if filename is not None:
        return {"file": str(filename)[:_MAX_TEXT]}
    return type(value).__name__


def _customer_of(arguments: dict[str, Any], result: Any) -> ObjectId | None:
    """The customer a mutation concerned: named in its arguments or found in its payload."""
    named = arguments.get("customerId") or (arguments.get("input") or {}).get("customerId")
    if isinstance(named, str):
        oid = ids.decode_oid(named, "Customer")
        if oid is not None:
            return oid
    for name in _PAYLOAD_OBJECTS:
        doc = getattr(getattr(result, name, None), "doc", None)
        if isinstance(doc, dict):
            found = doc.get("customer_id") or (doc.get("_id") if name == "customer" else None)
            if isinstance(found, ObjectId):
                return found
    return None


class MutationAudit(SchemaExtension):
    def resolve(self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any) -> Any:
        if info.parent_type.name != "Mutation":
            return _next(root, info, *args, **kwargs)
        return self._audited(_next, root, info, *args, **kwargs)

    async def _audited(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any
    ) -> Any:
        context = info.context
        outcome, codes, result = "FAILED", [], None
        try:
            result = _next(root, info, *args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            errors = getattr(result, "errors", None) or []
            codes = [getattr(getattr(e, "code", None), "value", None) for e in errors]
            outcome = "REFUSED" if errors else "OK"
            return result
        except GraphQLError:
            # Permission classes refuse with a GraphQLError; system faults are other exceptions.
            outcome = "DENIED"
            raise
        finally:
            detail = {
                "mutation": info.field_name,
                "arguments": _recordable(kwargs),
                "outcome": outcome,
                "codes": codes,
            }
            await context.runtime.audit.write(entry(_customer_of(kwargs, result), ACTION, context.actor, detail))
