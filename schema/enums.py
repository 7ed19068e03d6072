"""GraphQL enums: the domain packages' own Enums, exposed without redefining them.

``strawberry.enum`` registers a class in place and returns it unchanged, so the names
below are the domain classes themselves: resolvers return domain values as they are,
and type checkers see ordinary Enum annotations (an alias such as
``Severity = strawberry.enum(_Severity)`` would hide the class from mypy).
"""

import strawberry

from api.errors import ErrorCode
from api.services.customers import CustomerType
from api.services.orders import OrderStatus
from scoring.codes import HoldReason, RiskGrade, Severity
from scoring.roles import Role
from verification.types import CertificateType, CheckOutcome, DeviceClass, DocumentStatus

for _enum, _name in (
    (Role, "Role"),
    (CustomerType, "CustomerType"),
    (CertificateType, "CertificateType"),
    (DeviceClass, "DeviceClass"),
    (DocumentStatus, "DocumentStatus"),
    (CheckOutcome, "CheckOutcome"),
    (ErrorCode, "ErrorCode"),
    (HoldReason, "HoldReason"),
    (OrderStatus, "OrderStatus"),
    (RiskGrade, "RiskGrade"),
    (Severity, "Severity"),
):
    strawberry.enum(_enum, name=_name)

__all__ = [
    "CertificateType",
    "CheckOutcome",
    "CustomerType",
    "DeviceClass",
    "DocumentStatus",
    "ErrorCode",
    "HoldReason",
    "OrderStatus",
    "RiskGrade",
    "Role",
    "Severity",
]
