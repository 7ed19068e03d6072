"""GraphQL enums: the domain packages' own Enums, exposed without redefining them.

``strawberry.enum`` registers a class in place and returns it unchanged, so the names
below are the domain classes themselves: resolvers return domain values as they are,
and type checkers see ordinary Enum annotations (an alias such as
``Severity = strawberry.enum(_Severity)`` would hide the class from mypy).
"""

from enum import Enum

import strawberry

from common.roles import Role
from scoring.codes import CustomerType, HoldReason, OrderStatus, RiskGrade, Severity
from scoring.errors import ScoringErrorCode
from services.errors import ErrorCode as RequestErrorCode
from verification.types import CertificateType, CheckOutcome, DeviceClass, DocumentErrorCode, DocumentStatus

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

# The GraphQL ``ErrorCode`` is the union of the domain packages' code enums, built from
# them so that a code is named once, where it is decided. A name two packages share
# (TOO_LARGE: a file or an amount) is one GraphQL value.
DOMAIN_ERROR_CODES: tuple[type[Enum], ...] = (RequestErrorCode, ScoringErrorCode, DocumentErrorCode)
ErrorCode = Enum(  # type: ignore[misc]  # mypy needs literal members; these are the union's
    "ErrorCode", {name: name for codes in DOMAIN_ERROR_CODES for name in codes.__members__}
)

# What each code tells a client, shown in GraphiQL and in generated types. Kept here,
# beside the GraphQL exposure, so the domain Enums stay plain Enums.
ERROR_CODE_DESCRIPTIONS: dict[str, str] = {
    "INVALID": "The value is malformed or not allowed here (e.g. a fraction of a cent); the message says why.",
    "REQUIRED": "A value that must be given (or must not be blank) is missing.",
    "NOT_FOUND": "No record with this id (or number, or reference) exists.",
    "DUPLICATE": "Another record already holds this unique value, with other contents.",
    "ALREADY_RECORDED": "The same request was made before and took effect then; nothing changed now.",
    "INVALID_CHECKSUM": "The unified social credit code's check character is wrong.",
    "NEGATIVE_AMOUNT": "An amount must be greater than zero (a limit or a price: not below zero).",
    "INVALID_DATE_RANGE": "The dates are in the wrong order, e.g. due before issued.",
    "INVALID_STATE": "The record's status does not allow this now, e.g. deciding an order not held.",
    "UNSUPPORTED_TYPE": "The upload is not a PDF, JPEG or PNG (judged by its content).",
    "EMPTY_FILE": "The upload has no content.",
    "TOO_LARGE": "The upload (or an amount) is over the configured limit.",
    "TOO_MANY_PAGES": "The PDF has more pages than the configured limit.",
    "CORRUPT": "The file is damaged and cannot be opened.",
    "ENCRYPTED": "The PDF is password-protected.",
    "UNREADABLE": "The file opened but no text could be read from it.",
    "OCR_UNAVAILABLE": "No text reader could run on the server; an operator problem: try again later.",
    "FORBIDDEN": "The caller's role may not do this part of the request (e.g. grant credit).",
    "TOO_LONG": "A text is longer than the limit stated in the schema's description of the field.",
    "RETRY": "The customer is busy with other changes right now: send the same request again.",
}
strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="What kind of mistake a `UserError` reports, so a client can branch without parsing messages.",
)
for _value in ErrorCode.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = ERROR_CODE_DESCRIPTIONS[_value.name]

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
