"""The scalars' wire formats, one each, so a client never sees the same value two ways.

- ``DateTime``: always UTC, millisecond precision, ``Z`` (``2026-05-01T08:30:54.871Z``).
  MongoDB keeps milliseconds, so a time read back from the database and the same time
  fresh from Python used to print differently (``.871456+00:00`` vs ``.871000+00:00``).
- ``Decimal``: money as a string such as ``"125000.00"``; a JSON number is refused,
  because a client's double has already lost cents by the time it arrives.
"""

from __future__ import annotations

import datetime as dt
import decimal

import dateutil.parser
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.file_uploads import Upload
from strawberry.types.scalar import ScalarDefinition


def serialize_datetime(value: dt.datetime) -> str:
    """``value`` in UTC with milliseconds and ``Z``; a naive time is taken as UTC (as stored)."""
    utc = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_datetime(value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(f"DateTime must be a string such as 2026-05-01T08:30:00Z, got {value!r}.")
    try:
        parsed = dateutil.parser.isoparse(value)
    except ValueError:
        raise StrawberryInputCoercionError(f"DateTime {value!r} is not ISO 8601, e.g. 2026-05-01T08:30:00Z.") from None
    if parsed.tzinfo is None:
        raise StrawberryInputCoercionError(f"DateTime {value!r} needs an offset or Z: times are compared in UTC.")
    return parsed.astimezone(dt.UTC)


def parse_date(value: object) -> dt.date:
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(f"Date must be a string such as 2026-05-01, got {value!r}.")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise StrawberryInputCoercionError(f"Date {value!r} is not an ISO 8601 date such as 2026-05-01.") from None


def parse_decimal(value: object) -> decimal.Decimal:
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(
            f'Decimal must be a string such as "125000.00", got the JSON number {value!r}: '
            "send amounts in quotes so no cent is lost to floating point."
        )
    try:
        number = decimal.Decimal(value.strip())
    except decimal.InvalidOperation:
        raise StrawberryInputCoercionError(f'Decimal {value!r} is not a number such as "125000.00".') from None
    if not number.is_finite():
        raise StrawberryInputCoercionError(f"Decimal {value!r} must be a finite number.")
    return number


DATETIME = ScalarDefinition(
    name="DateTime",
    description="A moment in time, ISO 8601, always UTC with millisecond precision and Z, e.g. "
    "`2026-05-01T08:30:54.871Z`. As input, any ISO 8601 time with an offset or Z.",
    specified_by_url=None,
    serialize=serialize_datetime,
    parse_value=parse_datetime,
    parse_literal=None,
)
DATE = ScalarDefinition(
    name="Date",
    description="A calendar day, ISO 8601, e.g. `2026-05-01`.",
    specified_by_url=None,
    serialize=dt.date.isoformat,
    parse_value=parse_date,
    parse_literal=None,
)
DECIMAL = ScalarDefinition(
    name="Decimal",
    description='An exact decimal number, money in yuan, as a string such as `"125000.00"`. '
    "JSON numbers are refused: they lose precision.",
    specified_by_url=None,
    serialize=str,
    parse_value=parse_decimal,
    parse_literal=None,
)
UPLOAD = ScalarDefinition(
    name="Upload",
    description="A file sent with the GraphQL multipart request spec (a form part mapped to this variable).",
    specified_by_url="https://github.com/jaydenseric/graphql-multipart-request-spec",
    serialize=lambda v: v,
    parse_value=lambda v: v,
    parse_literal=None,
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    dt.datetime: DATETIME,
    dt.date: DATE,
    decimal.Decimal: DECIMAL,
    Upload: UPLOAD,
}
