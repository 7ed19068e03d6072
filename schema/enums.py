"""GraphQL enums: the domain packages' own Enums, exposed without redefining them.

``strawberry.enum`` registers a class in place and returns it unchanged, so the names
below are the domain classes themselves: resolvers return domain values as they are,
and type checkers see ordinary Enum annotations (an alias such as
``Severity = strawberry.enum(_Severity)`` would hide the class from mypy).
"""

import strawberry

from scoring.codes import HoldReason, RiskGrade, Severity
from scoring.roles import Role
from services.customers import CustomerType
from services.errors import ErrorCode
from services.orders import OrderStatus
from verification.types import CertificateType, CheckOutcome, DeviceClass, DocumentStatus

for _enum, _name in (
    (Role, "Role"),
    (CustomerType, "CustomerType"),
    (CertificateType, "CertificateType"),
    (DeviceClass, "DeviceClass"),
    (DocumentStatus, "DocumentStatus"),
    (CheckOutcome, "CheckOutcome"),
    (HoldReason, "HoldReason"),
    (OrderStatus, "OrderStatus"),
    (RiskGrade, "RiskGrade"),
    (Severity, "Severity"),
):
    strawberry.enum(_enum, name=_name)

# What each code tells a client, shown in GraphiQL and in generated types. Kept here,
# beside the GraphQL exposure, so the domain Enum stays a plain Enum.
ERROR_CODE_DESCRIPTIONS: dict[ErrorCode, str] = {
    ErrorCode.INVALID: "The value is malformed or not allowed here; the message says why.",
    ErrorCode.REQUIRED: "A value that must be given (or must not be blank) is missing.",
    ErrorCode.NOT_FOUND: "No record with this id (or number, or reference) exists.",
    ErrorCode.DUPLICATE: "Another record already holds this unique value, with other contents.",
    ErrorCode.ALREADY_RECORDED: "The same request was made before and took effect then; nothing changed now.",
    ErrorCode.INVALID_CHECKSUM: "The unified social credit code's check character is wrong.",
    ErrorCode.NEGATIVE_AMOUNT: "An amount must be greater than zero (a limit: not below zero).",
    ErrorCode.INVALID_DATE_RANGE: "The dates are in the wrong order, e.g. due before issued.",
    ErrorCode.INVALID_STATE: "The record's status does not allow this now, e.g. deciding an order not held.",
    ErrorCode.UNSUPPORTED_TYPE: "The upload is not a PDF, JPEG or PNG (judged by its content).",
    ErrorCode.EMPTY_FILE: "The upload has no content.",
    ErrorCode.TOO_LARGE: "The upload (or an amount) is over the configured limit.",
    ErrorCode.TOO_MANY_PAGES: "The PDF has more pages than the configured limit.",
    ErrorCode.CORRUPT: "The file is damaged and cannot be opened.",
    ErrorCode.ENCRYPTED: "The PDF is password-protected.",
    ErrorCode.UNREADABLE: "The file opened but no text could be read from it.",
    ErrorCode.FORBIDDEN: "The caller's role may not do this part of the request (e.g. grant credit).",
    ErrorCode.TOO_LONG: "A text is longer than the limit stated in the schema's description of the field.",
    ErrorCode.RETRY: "The customer is busy with other changes right now: send the same request again.",
}
strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="What kind of mistake a `UserError` reports, so a client can branch without parsing messages.",
)
for _value in ErrorCode.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = ERROR_CODE_DESCRIPTIONS.get(ErrorCode(_value.value))

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
