"""The order gate's part of the credit policy (``[gate]``): which licences cover what.

One coverage rule serves the order gate and the upload check (``scoring.qualification``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from scoring.errors import PolicyError
from scoring.policy_fields import boolean as _bool
from scoring.policy_fields import integer as _int
from scoring.policy_fields import string_list as _str_list
from scoring.policy_fields import table as _table

#: Certificate types the gate knows (``verification.types.CertificateType`` values).
CERTIFICATE_TYPES = frozenset(
    {
        "business_license",
        "operation_license",
        "class2_filing",
        "production_license",
        "registration_certificate",
        "medical_institution_license",
    }
)
DEVICE_CLASSES = frozenset({"I", "II", "III"})


@dataclass(frozen=True, slots=True)
class CoverRule:
    """Which device classes a certificate type covers and whether its scope is checked.

    ``required_for`` are the classes for which this type is the licence the law asks
    for (class III: the operation licence; class II: the filing). Verification holds
    an upload's scope to the customer's purchases of those classes only: a class III
    licence is not faulted for leaving out class II products the filing covers.
    """

    classes: frozenset[str]
    check_scope: bool
    required_for: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class GatePolicy:
    """Order-gate rules."""

    licence_free_classes: frozenset[str]
    overdue_block_days: int
    accepted_statuses: frozenset[str]
    expired_statuses: frozenset[str]
    expiring_within_days: int
    covers: Mapping[str, CoverRule]


def _classes(values: tuple[str, ...], path: str) -> frozenset[str]:
    unknown = [v for v in values if v not in DEVICE_CLASSES]
    if unknown:
        raise PolicyError(f"{path}: unknown device class(es) {unknown}; use I, II, III")
    return frozenset(values)


def parse_gate(data: Mapping[str, Any]) -> GatePolicy:
    """Validate the ``[gate]`` table and build a ``GatePolicy``.

    Raises:
        PolicyError: a key is missing or has the wrong type, an unknown certificate type
            or device class, or ``required_for`` beyond a rule's ``classes``.
    """
    path = "gate."
    covers_data = _table(data, "covers", path)
    covers: dict[str, CoverRule] = {}
    for cert_type, rule in covers_data.items():
        cpath = f"gate.covers.{cert_type}"
        if cert_type not in CERTIFICATE_TYPES:
            raise PolicyError(f"{cpath}: unknown certificate type")
        if not isinstance(rule, Mapping):
            raise PolicyError(f"{cpath}: expected a table")
        classes = _classes(_str_list(rule, "classes", cpath + "."), cpath + ".classes")
        required_for = _classes(tuple(rule.get("required_for", ())), cpath + ".required_for")
        if not required_for <= classes:
            raise PolicyError(f"{cpath}.required_for: must be among its classes {sorted(classes)}")
        covers[cert_type] = CoverRule(
            classes=classes,
            check_scope=_bool(rule, "check_scope", cpath + "."),
            required_for=required_for,
        )
    return GatePolicy(
        licence_free_classes=_classes(_str_list(data, "licence_free_classes", path), "gate.licence_free_classes"),
        overdue_block_days=_int(data, "overdue_block_days", path),
        accepted_statuses=frozenset(_str_list(data, "accepted_statuses", path)),
        expired_statuses=frozenset(_str_list(data, "expired_statuses", path)),
        expiring_within_days=_int(data, "expiring_within_days", path),
        covers=MappingProxyType(covers),
    )
