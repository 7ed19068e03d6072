"""One error vocabulary: domain code enums, their GraphQL union, one base exception, one money rule."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from decimal import Decimal

import pytest

from common.errors import MedcreditError
from schema.enums import DOMAIN_ERROR_CODES, ERROR_CODE_DESCRIPTIONS, ErrorCode
from schema.errors import user_errors
from scoring.errors import ScoringErrorCode
from scoring.money import amount_fault
from services.errors import ErrorCode as RequestErrorCode
from services.errors import InvalidInput, Problem, amount_problem
from verification.types import DocumentErrorCode

PACKAGES = (
    "api",
    "schema",
    "workers",
    "services",
    "infra",
    "store",
    "verification",
    "scoring",
    "common",
    "notifications",
)


def test_the_graphql_error_code_is_the_union_of_the_domain_codes() -> None:
    union = {name for codes in (RequestErrorCode, ScoringErrorCode, DocumentErrorCode) for name in codes.__members__}
    assert set(DOMAIN_ERROR_CODES) == {RequestErrorCode, ScoringErrorCode, DocumentErrorCode}
    assert set(ErrorCode.__members__) == union


def test_every_graphql_error_code_has_its_own_description() -> None:
    described = {value.name: value.description for value in ErrorCode.__strawberry_definition__.values}  # type: ignore[attr-defined]
    assert set(described) == set(ErrorCode.__members__)
    assert all(described.values())
    # A description for a code no package names would be a stale promise to clients.
    assert set(ERROR_CODE_DESCRIPTIONS) == set(ErrorCode.__members__)


def test_a_domain_problem_reaches_the_client_under_its_own_name() -> None:
    exc = InvalidInput(
        Problem("bad file", DocumentErrorCode.ENCRYPTED, "file"),
        Problem("half a cent", ScoringErrorCode.INVALID, "amount"),
        Problem("who?", RequestErrorCode.NOT_FOUND, "customerId"),
    )
    assert [(e.field, e.code) for e in user_errors(exc)] == [
        ("file", ErrorCode.ENCRYPTED),
        ("amount", ErrorCode.INVALID),
        ("customerId", ErrorCode.NOT_FOUND),
    ]


def _exception_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        modules = [package]
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            modules.append(importlib.import_module(info.name))
        for module in modules:
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def test_every_exception_the_application_defines_derives_from_one_base() -> None:
    classes = _exception_classes()
    assert len(classes) > 10, "the walk found too few exception classes to be looking in the right place"
    strays = sorted(f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, MedcreditError))
    assert strays == []


@pytest.mark.parametrize(
    ("value", "zero_allowed", "code"),
    [
        (Decimal("0"), True, None),
        (Decimal("0"), False, ScoringErrorCode.NEGATIVE_AMOUNT),
        (Decimal("-0.01"), True, ScoringErrorCode.NEGATIVE_AMOUNT),
        (Decimal("NaN"), True, ScoringErrorCode.NEGATIVE_AMOUNT),
        (Decimal("Infinity"), False, ScoringErrorCode.NEGATIVE_AMOUNT),
        (Decimal("999999999999999.99"), False, None),
        (Decimal("1E15"), False, ScoringErrorCode.TOO_LARGE),
        (Decimal("10.005"), False, ScoringErrorCode.INVALID),
        (Decimal("10.50"), False, None),
    ],
)
def test_one_money_rule(value: Decimal, zero_allowed: bool, code: ScoringErrorCode | None) -> None:
    fault = amount_fault(value, zero_allowed=zero_allowed)
    assert (fault.code if fault else None) is code


def test_the_caller_names_the_field_and_the_amount() -> None:
    problem = amount_problem(Decimal("-5"), "lines.0.unitPrice", label="Line 1: unit price", zero_allowed=True)
    assert problem == Problem(
        "Line 1: unit price must be zero or more.", ScoringErrorCode.NEGATIVE_AMOUNT, "lines.0.unitPrice"
    )
