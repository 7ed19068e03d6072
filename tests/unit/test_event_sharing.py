"""Per-subscriber selection (``EventFilter.select``) and which subscribers may share one
GraphQL result for an event (``schema.shared_results``)."""

from __future__ import annotations

from typing import Any

import pytest
from bson import ObjectId
from graphql import OperationDefinitionNode, parse

from infra import ids
from infra.eventstream import EventFilter
from schema.shared_results import _share_key
from scoring.codes import Severity

CUSTOMER = ObjectId()
OTHER = ObjectId()


def wire(customer: ObjectId, severity: Severity) -> dict[str, Any]:
    return {
        "id": "00000000000000000001",
        "customer_id": ids.encode_id("Customer", customer),
        "severity": severity.value,
    }


@pytest.mark.parametrize(
    ("wanted", "event", "selected"),
    [
        (EventFilter(), wire(OTHER, Severity.INFO), True),
        (EventFilter(customer_id=CUSTOMER), wire(CUSTOMER, Severity.INFO), True),
        (EventFilter(customer_id=CUSTOMER), wire(OTHER, Severity.CRITICAL), False),
        (EventFilter(min_severity=Severity.HIGH), wire(OTHER, Severity.MEDIUM), False),
        (EventFilter(min_severity=Severity.HIGH), wire(OTHER, Severity.CRITICAL), True),
        (EventFilter(customer_id=CUSTOMER, min_severity=Severity.HIGH), wire(CUSTOMER, Severity.HIGH), True),
    ],
)
def test_a_filter_selects_its_customer_at_or_above_its_severity(
    wanted: EventFilter, event: dict[str, Any], selected: bool
) -> None:
    assert (wanted.select(event) is event) is selected


def key(query: str, variables: dict[str, Any]) -> object:
    (operation,) = parse(query).definitions
    assert isinstance(operation, OperationDefinitionNode)
    return _share_key(operation, variables)


RISK = "subscription($c: ID, $after: ID) { riskEvents(customerId: $c, after: $after) { id type payload } }"


def test_the_arguments_choosing_events_do_not_split_subscribers() -> None:
    assert key(RISK, {"c": "cus_1", "after": "1"}) == key(RISK, {"c": "cus_2", "after": None})


def test_another_selection_is_another_result() -> None:
    assert key(RISK, {}) != key(RISK.replace("type payload", "type"), {})


def test_variables_that_shape_the_result_split_subscribers() -> None:
    query = "subscription($c: ID, $p: Boolean!) { riskEvents(customerId: $c) { id payload @include(if: $p) } }"
    assert key(query, {"c": "cus_1", "p": True}) == key(query, {"c": "cus_2", "p": True})
    assert key(query, {"c": "cus_1", "p": True}) != key(query, {"c": "cus_1", "p": False})


def test_with_fragments_every_variable_counts() -> None:
    query = "subscription($c: ID) { riskEvents(customerId: $c) { ...E } } fragment E on RiskEvent { id }"
    (operation, _) = parse(query).definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert _share_key(operation, {"c": "cus_1"}) != _share_key(operation, {"c": "cus_2"})
