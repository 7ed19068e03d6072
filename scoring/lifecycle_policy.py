"""Policy for the credit lifecycle after the order: shipments, returns and limit requests.

Read from the policy file's ``[lifecycle]`` table; a file without it gets the defaults
below, so older policy files keep loading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scoring.errors import PolicyError
from scoring.policy_fields import integer as _int


@dataclass(frozen=True, slots=True)
class LifecyclePolicy:
    """Shipment, returns and limit-request rules."""

    # A shipment is held when any invoice is more than this many days past due.
    shipment_overdue_hold_days: int
    # Returns rate = credit notes for returns / invoiced value over this many months.
    returns_window_months: int
    # A related-party warning on the group and siblings when a member is blocked.
    related_party_warning: bool


DEFAULT_LIFECYCLE = LifecyclePolicy(
    shipment_overdue_hold_days=30,
    returns_window_months=6,
    related_party_warning=True,
)


def parse_lifecycle(data: Any) -> LifecyclePolicy:
    """Validate the ``[lifecycle]`` table (missing keys take the defaults).

    Raises:
        PolicyError: a value has the wrong type or range.
    """
    if not isinstance(data, Mapping):
        raise PolicyError("lifecycle: expected a table")
    merged = {
        "shipment_overdue_hold_days": DEFAULT_LIFECYCLE.shipment_overdue_hold_days,
        "returns_window_months": DEFAULT_LIFECYCLE.returns_window_months,
        "related_party_warning": DEFAULT_LIFECYCLE.related_party_warning,
        **data,
    }
    warning = merged["related_party_warning"]
    if not isinstance(warning, bool):
        raise PolicyError("lifecycle.related_party_warning: expected true or false")
    return LifecyclePolicy(
        shipment_overdue_hold_days=_int(merged, "shipment_overdue_hold_days", "lifecycle."),
        returns_window_months=_int(merged, "returns_window_months", "lifecycle.", minimum=1),
        related_party_warning=warning,
    )
