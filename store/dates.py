"""BSON has no date type: calendar dates are stored as midnight UTC datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import overload


@overload
def to_bson(day: date) -> datetime: ...
@overload
def to_bson(day: None) -> None: ...
@overload
def to_bson(day: date | None) -> datetime | None: ...
def to_bson(day: date | None) -> datetime | None:
    """The day as a midnight UTC datetime (None stays None)."""
    return datetime.combine(day, time(), tzinfo=UTC) if day is not None else None


def from_bson(value: datetime | None) -> date | None:
    """The day of a stored midnight UTC datetime (None stays None)."""
    return value.date() if value is not None else None
