"""Which roles an event concerns: the ``riskEvents(role:)`` filter and a person's feed.

Warning events name their roles (``notifyRoles``, from the policy's ladder); other
events concern the roles whose work they change, below. ADMIN is concerned by all.
"""

from __future__ import annotations

from typing import Any

_BY_TYPE: dict[str, frozenset[str]] = {
    "SCORE_CHANGED": frozenset({"CREDIT_MANAGER", "SALES"}),
    "LIMIT_CHANGED": frozenset({"CREDIT_MANAGER", "FINANCE", "SALES"}),
    "LIMIT_PROPOSED": frozenset({"CREDIT_MANAGER"}),
    "CUSTOMER_BLOCKED": frozenset({"EXECUTIVE", "CREDIT_MANAGER", "FINANCE", "SALES"}),
    "CUSTOMER_UNBLOCKED": frozenset({"EXECUTIVE", "CREDIT_MANAGER", "FINANCE", "SALES"}),
    "ORDER_APPROVED": frozenset({"SALES"}),
    "ORDER_HELD": frozenset({"SALES", "CREDIT_MANAGER"}),
    "ORDER_REJECTED": frozenset({"SALES", "CREDIT_MANAGER"}),
    "DOCUMENT_STATUS": frozenset({"ONBOARDING"}),
    "CERTIFICATE_UPDATED": frozenset({"ONBOARDING", "CREDIT_MANAGER"}),
    "CERTIFICATE_EXPIRED": frozenset({"ONBOARDING", "CREDIT_MANAGER", "SALES"}),
    "RISK_SIGNAL_RECORDED": frozenset({"CREDIT_MANAGER"}),
    "WEBHOOK_DISABLED": frozenset(),
}
# A type not listed above (a new one) reaches the credit managers rather than nobody.
_DEFAULT = frozenset({"CREDIT_MANAGER"})


def concerns(event: dict[str, Any], role: str) -> bool:
    """Whether ``event`` (stored or wire form) concerns ``role``."""
    if role == "ADMIN":
        return True
    payload = event.get("payload")
    if isinstance(payload, dict) and isinstance(payload.get("notifyRoles"), list):
        return role in payload["notifyRoles"]
    return role in _BY_TYPE.get(event["type"], _DEFAULT)
