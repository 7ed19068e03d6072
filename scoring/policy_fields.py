"""Typed readers for TOML values that report errors with the offending key path."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from scoring.errors import PolicyError


def table(data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
    """Return the sub-table ``key`` or raise ``PolicyError``."""
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise PolicyError(f"{path}{key}: missing table")
    return value


def number(data: Mapping[str, Any], key: str, path: str) -> float:
    """Return ``key`` as a float (int or float in TOML, not bool)."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"{path}{key}: expected a number, got {value!r}")
    return float(value)


def integer(data: Mapping[str, Any], key: str, path: str, minimum: int = 0) -> int:
    """Return ``key`` as an int no smaller than ``minimum``."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(f"{path}{key}: expected an integer, got {value!r}")
    if value < minimum:
        raise PolicyError(f"{path}{key}: must be >= {minimum}, got {value}")
    return value


def money(data: Mapping[str, Any], key: str, path: str) -> Decimal:
    """Return ``key`` as an exact, finite, non-negative Decimal (int or string in TOML)."""
    value = data.get(key)
    # Floats are rejected: 0.1 in binary is not 0.1, and money must be exact.
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PolicyError(f'{path}{key}: expected a decimal string such as "1000", got {value!r}')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise PolicyError(f"{path}{key}: not a decimal number: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise PolicyError(f"{path}{key}: must be a finite number >= 0, got {value!r}")
    return amount


def string(data: Mapping[str, Any], key: str, path: str) -> str:
    """Return ``key`` as a non-empty string."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PolicyError(f"{path}{key}: expected a non-empty string, got {value!r}")
    return value


def boolean(data: Mapping[str, Any], key: str, path: str) -> bool:
    """Return ``key`` as a bool."""
    value = data.get(key)
    if not isinstance(value, bool):
        raise PolicyError(f"{path}{key}: expected true or false, got {value!r}")
    return value


def string_list(data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
    """Return ``key`` as a tuple of strings."""
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{path}{key}: expected a list of strings, got {value!r}")
    return tuple(value)
