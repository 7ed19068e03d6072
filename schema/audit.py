"""Every mutation leaves an audit row: who ran it, when, with what, and how it ended.

Services keep their own domain rows (a limit's before and after, a hold's reasons);
this extension adds one uniform ``MUTATION`` row per top-level mutation field, so a
request that changed nothing, was refused, or was forbidden is on record too.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from bson import ObjectId
from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver
from strawberry.types import Info
from strawberry.types.unset import UNSET
from strawberry.utils.str_converters import to_camel_case

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
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    definition = getattr(type(value), "__strawberry_definition__", None)
    if definition is not None:
        # An input object, recorded under its GraphQL field names as the client sent it.
        given = {
            f.graphql_name or to_camel_case(f.python_name): getattr(value, f.python_name) for f in definition.fields
        }
        return _recordable({k: v for k, v in given.items() if v is not UNSET}, depth)
    filename = getattr(value, "filename", None)
    if filename is not None:
        return {"file": str(filename)[:_MAX_TEXT]}
    return type(value).__name__


def _arguments(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The mutation's arguments under their GraphQL names, as they are recorded."""
    return {to_camel_case(name): value for name, value in kwargs.items() if value is not UNSET}


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


class MutationAudit(FieldExtension):
    """Added to every top-level mutation field (``audit_mutations``), and to no other field.

    As a schema extension's ``resolve`` hook it ran around every field of every query
    too (2,500 fields for a page of 100 customers), only to let them pass: 10 µs each.
    """

    async def resolve_async(self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        context = info.context
        outcome, codes, result = "FAILED", [], None
        try:
            result = await next_(source, info, **kwargs)
            errors = getattr(result, "errors", None) or []
            codes = [getattr(getattr(e, "code", None), "value", None) for e in errors]
            outcome = "REFUSED" if errors else "OK"
            return result
        except GraphQLError:
            # Permission classes refuse with a GraphQLError; system faults are other exceptions.
            outcome = "DENIED"
            raise
        finally:
            arguments = _recordable(_arguments(kwargs))
            detail = {"mutation": info.field_name, "arguments": arguments, "outcome": outcome, "codes": codes}
            await context.runtime.audit.write(entry(_customer_of(arguments, result), ACTION, context.actor, detail))


def audit_mutations(mutation: type) -> None:
    """Give each field of the ``Mutation`` type the audit extension, outermost (once)."""
    for field in mutation.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if not any(isinstance(e, MutationAudit) for e in field.extensions):
            # Last is outermost: the row records a refusal by the field's permission classes.
            field.extensions.append(MutationAudit())
