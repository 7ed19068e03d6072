"""The ``[onboarding]`` section of the policy file: review standards per customer type.

Kept apart from ``scoring.policy`` so that the standards (which documents a hospital, a
distributor or a manufacturer must hold, how often a file is re-reviewed, whether
unreviewed customers may buy class I goods) can be read and tested on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from common.roles import Role
from scoring.codes import CustomerType
from scoring.errors import PolicyError
from scoring.gate_policy import CERTIFICATE_TYPES, DEVICE_CLASSES
from scoring.policy_fields import boolean as _bool
from scoring.policy_fields import integer as _int
from scoring.policy_fields import string as _str
from scoring.policy_fields import string_list as _str_list

#: Customer types (the GraphQL ``CustomerType`` names) a standard may be written for.
CUSTOMER_TYPES = frozenset(CustomerType.__members__)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One document a customer type must hold: any certificate type of ``any_of`` satisfies it.

    ``key`` names the requirement in ``missing`` lists; ``label`` is the Chinese name shown
    to staff and printed in the dossier.
    """

    key: str
    label: str
    any_of: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OnboardingPolicy:
    """Review standards and how the onboarding status acts on orders.

    ``hold_orders``: the order gate holds orders of customers not APPROVED
    (``ONBOARDING_INCOMPLETE``). ``exempt_classes``: device classes whose lines are not
    held for that reason (the policy switch that relaxes class I).
    """

    review_every_days: int
    expiring_within_days: int
    hold_orders: bool
    exempt_classes: frozenset[str]
    approver_roles: frozenset[Role]
    lapsed_notify: tuple[Role, ...]
    standards: Mapping[str, tuple[Requirement, ...]]

    def requirements_for(self, customer_type: str) -> tuple[Requirement, ...]:
        """The requirements of a customer type (``OTHER``'s when the type has none of its own)."""
        return self.standards.get(customer_type, self.standards.get("OTHER", ()))


#: Used when a policy file has no ``[onboarding]`` section: nothing required, nothing held.
NO_STANDARDS = OnboardingPolicy(
    review_every_days=365,
    expiring_within_days=60,
    hold_orders=False,
    exempt_classes=frozenset(DEVICE_CLASSES),
    approver_roles=frozenset({Role.ONBOARDING, Role.CREDIT_MANAGER}),
    lapsed_notify=(Role.ONBOARDING,),
    standards=MappingProxyType({}),
)


def _roles(values: tuple[str, ...], path: str) -> tuple[Role, ...]:
    unknown = [v for v in values if v not in Role.__members__]
    if unknown or not values:
        raise PolicyError(f"{path}: needs known roles, got {list(values)!r}")
    return tuple(Role[v] for v in values)


def _requirement(item: Any, path: str) -> Requirement:
    if not isinstance(item, Mapping):
        raise PolicyError(f"{path}: expected a table")
    any_of = _str_list(item, "any_of", path + ".")
    unknown = [t for t in any_of if t not in CERTIFICATE_TYPES]
    if unknown or not any_of:
        raise PolicyError(f"{path}.any_of: needs known certificate types, got {list(any_of)!r}")
    return Requirement(key=_str(item, "key", path + "."), label=_str(item, "label", path + "."), any_of=any_of)


def parse_onboarding(data: Mapping[str, Any] | None) -> OnboardingPolicy:
    """Validate the ``[onboarding]`` table; ``None`` (no section) gives ``NO_STANDARDS``.

    Raises:
        PolicyError: a key is missing or has the wrong type, an unknown customer type,
            certificate type, device class or role, or two requirements share a key.

    Returns:
        The immutable ``OnboardingPolicy``.
    """
    if data is None:
        return NO_STANDARDS
    if not isinstance(data, Mapping):
        raise PolicyError("onboarding: expected a table")
    path = "onboarding."
    exempt = _str_list(data, "exempt_classes", path)
    if any(c not in DEVICE_CLASSES for c in exempt):
        raise PolicyError(f"onboarding.exempt_classes: use I, II, III, got {list(exempt)!r}")
    raw_standards = data.get("standards")
    if not isinstance(raw_standards, Mapping):
        raise PolicyError("onboarding.standards: missing table")
    standards: dict[str, tuple[Requirement, ...]] = {}
    for customer_type, items in raw_standards.items():
        spath = f"onboarding.standards.{customer_type}"
        if customer_type not in CUSTOMER_TYPES:
            raise PolicyError(f"{spath}: unknown customer type")
        if not isinstance(items, list):
            raise PolicyError(f"{spath}: expected an array of tables")
        requirements = tuple(_requirement(item, f"{spath}[{i}]") for i, item in enumerate(items))
        keys = [r.key for r in requirements]
        if len(set(keys)) != len(keys):
            raise PolicyError(f"{spath}: two requirements share a key")
        standards[customer_type] = requirements
    return OnboardingPolicy(
        review_every_days=_int(data, "review_every_days", path, minimum=1),
        expiring_within_days=_int(data, "expiring_within_days", path),
        hold_orders=_bool(data, "hold_orders", path),
        exempt_classes=frozenset(exempt),
        approver_roles=frozenset(_roles(_str_list(data, "approver_roles", path), path + "approver_roles")),
        lapsed_notify=_roles(_str_list(data, "lapsed_notify", path), path + "lapsed_notify"),
        standards=MappingProxyType(standards),
    )
