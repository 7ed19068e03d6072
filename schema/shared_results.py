"""One GraphQL result per live event and query shape, shared by the subscribers who get it.

A risk event reaches a thousand screens that mostly sent the same subscription text.
Executing the selection set (``{ id type payload … }``) once per screen costs more than
everything else the process does per screen, and gives the same answer every time: the
fields of ``RiskEvent`` read only the event. So the subscription resolver marks the
event object it yields as shared (``share``), and this execution context executes the
selection once per (event, query text, operation, variables that shape the selection)
and hands each subscriber its own ``ExecutionResult`` around the shared data.

What a subscriber may see of an event is decided before this point
(``infra.eventstream.EventFilter.select``): a subscriber that must see an event
differently receives a different event object, hence a different cache entry.
Results with errors are never shared.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from graphql import ExecutionResult
from graphql.language import FieldNode, OperationDefinitionNode, VariableNode, Visitor, visit
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# Events stay shareable while recent; a subscriber far behind simply executes on its own.
_RECENT = 256
_shared: OrderedDict[int, tuple[object, dict[Hashable, ExecutionResult]]] = OrderedDict()


def share(root: object) -> object:
    """Mark a subscription's event object as the same for every subscriber who receives it."""
    key = id(root)
    if key not in _shared:
        _shared[key] = (root, {})  # holding the object keeps its id from being reused
        if len(_shared) > _RECENT:
            _shared.popitem(last=False)
    return root


class _Variables(Visitor):
    """Collects the variables a part of the query uses, and whether it spreads fragments."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.spreads_fragments = False

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.names.add(node.name.value)

    def enter_fragment_spread(self, *_: Any) -> None:
        self.spreads_fragments = True


def _share_key(operation: OperationDefinitionNode, variables: dict[str, Any]) -> Hashable | None:
    """What makes two subscribers' results for one event the same; None when unsure."""
    if operation.loc is None:
        return None
    collector = _Variables()
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            # The root field's arguments (customerId, after, minSeverity) choose which
            # events arrive, not how one is shaped: leave them out of the key.
            for directive in selection.directives or ():
                visit(directive, collector)
            if selection.selection_set is not None:
                visit(selection.selection_set, collector)
        else:
            visit(selection, collector)
    # Fragments live outside the operation; any variable may shape them.
    names = set(variables) if collector.spreads_fragments else collector.names
    shaping = tuple(sorted((name, repr(variables.get(name))) for name in names))
    name = operation.name.value if operation.name else None
    return (operation.loc.source.body, name, shaping)


class _SharedResult:
    """Stands in for a per-event executor when the event's result is already known."""

    __slots__ = ("_result",)

    def __init__(self, result: ExecutionResult) -> None:
        self._result = result

    def execute_operation(self, serially: bool | None = None) -> ExecutionResult:
        # Each subscriber gets its own result object (strawberry may annotate it).
        return ExecutionResult(data=self._result.data, errors=None, extensions=self._result.extensions)


class SharedEventExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, executing each shared event once per query shape."""

    _share_key: Hashable | None = None
    _share_key_known = False

    def build_per_event_executor(self, payload: Any) -> Any:
        if not self._share_key_known:
            # Once per subscription: the per-event executors are copies of this one.
            self._share_key = _share_key(self.operation, self.variable_values.coerced)
            self._share_key_known = True
        entry = _shared.get(id(payload))
        if entry is not None and entry[0] is payload and self._share_key is not None:
            known = entry[1].get(self._share_key)
            if known is not None:
                return _SharedResult(known)  # skips copying the executor, too
        return super().build_per_event_executor(payload)

    def execute_operation(self, serially: bool | None = None) -> Any:
        entry = _shared.get(id(self.root_value))
        if entry is None or entry[0] is not self.root_value or self._share_key is None:
            return super().execute_operation(serially)
        result = super().execute_operation(serially)
        if isinstance(result, ExecutionResult) and not result.errors:
            # Awaitable or failed results are not something to hand to others.
            entry[1].setdefault(self._share_key, result)
            return _SharedResult(entry[1][self._share_key]).execute_operation()
        return result
