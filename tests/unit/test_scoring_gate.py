"""Order gate and licence coverage: every hold reason alone and together."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from scoring import (
    Certificate,
    GateCustomer,
    HoldReason,
    OrderRequest,
    OrderRequestLine,
    QualificationStatus,
    category_in_scope,
    decide_order,
    has_expired_license,
    license_days_to_expiry,
    line_hold_reasons,
    load_policy,
    qualification_status,
)

POLICY = load_policy()
AS_OF = date(2026, 6, 30)

OP = Certificate("operation_license", ("II", "III"), ("06", "6840"), date(2027, 1, 1))
OP_EXPIRED = replace(OP, valid_until=date(2026, 6, 1))
FILING = Certificate("class2_filing", ("II",), ("07",), None)
HOSPITAL = Certificate("medical_institution_license", (), (), date(2028, 1, 1))
BUSINESS = Certificate("business_license", (), (), None)

MISSING, EXPIRED, SCOPE = (
    HoldReason.QUALIFICATION_MISSING,
    HoldReason.QUALIFICATION_EXPIRED,
    HoldReason.SCOPE_NOT_COVERED,
)


def _line(device_class, category, amount="1000.00"):
    return OrderRequestLine(device_class, category, D(amount))


def _customer(*certs, blocked=False, available="100000.00", overdue=0):
    return GateCustomer(blocked, D(available), overdue, tuple(certs))


@pytest.mark.parametrize(
    ("line", "certs", "reasons"),
    [
        (("I", "06"), (), ()),  # class I needs no licence
        (("I", "99"), (BUSINESS,), ()),
        (("III", "06"), (OP,), ()),
        (("III", "6840"), (OP,), ()),
        (("III", "22"), (OP,), (SCOPE,)),
        (("III", "06"), (), (MISSING,)),
        (("III", "06"), (BUSINESS,), (MISSING,)),
        (("III", "06"), (FILING,), (MISSING,)),  # a class II filing never covers class III
        (("III", "06"), (OP_EXPIRED,), (EXPIRED,)),
        (("III", "22"), (OP_EXPIRED,), (MISSING,)),  # expired and would not cover anyway
        (("II", "07"), (FILING,), ()),
        (("II", "06"), (FILING,), (SCOPE,)),
        (("II", "06"), (OP,), ()),  # an operation licence covers class II too
        (("II", "06"), (OP_EXPIRED, FILING), (EXPIRED, SCOPE)),  # every fact is reported
        (("II", "06"), (OP_EXPIRED, OP), ()),  # renewed licence wins
        (("III", "22"), (HOSPITAL,), ()),  # hospitals: own use, scope not matched
        (("III", "06"), (replace(OP, status="needs_review"),), (MISSING,)),
        (("III", "06"), (replace(OP, status="expired"),), (EXPIRED,)),
        (("III", "06"), (replace(OP, valid_until=AS_OF),), ()),  # last valid day
        (
            ("III", "06"),
            (replace(OP, device_classes=("II",)),),
            (MISSING,),
        ),  # licence lists II only
        (("III", "06"), (replace(OP, device_classes=()),), ()),  # classes not read: type decides
        (("III", "06-01"), (OP,), ()),  # sub-code of a scope entry
    ],
)
def test_line_qualification(line, certs, reasons):
    assert line_hold_reasons(_line(*line), certs, AS_OF, POLICY) == reasons
    decision = decide_order(OrderRequest((_line(*line),)), _customer(*certs), AS_OF, POLICY)
    assert decision.hold_reasons == reasons
    assert decision.approved is (reasons == ())


@pytest.mark.parametrize(
    ("customer", "amount", "reasons"),
    [
        (_customer(blocked=True), "1000.00", (HoldReason.CUSTOMER_BLOCKED,)),
        (_customer(available="999.99"), "1000.00", (HoldReason.CREDIT_LIMIT,)),
        (_customer(available="1000.00"), "1000.00", ()),  # exactly the available credit
        (_customer(available="-500.00"), "0.01", (HoldReason.CREDIT_LIMIT,)),
        (_customer(overdue=31), "1000.00", (HoldReason.OVERDUE,)),
        (_customer(overdue=30), "1000.00", ()),
    ],
)
def test_credit_and_status_reasons_alone(customer, amount, reasons):
    order = OrderRequest((_line("I", "06", amount),))
    decision = decide_order(order, customer, AS_OF, POLICY)
    assert decision.hold_reasons == reasons
    assert decision.approved is (reasons == ())


def test_every_reason_is_listed_once_in_enum_order():
    order = OrderRequest(
        (
            _line("III", "06", "40000.00"),  # expired licence would cover
            _line("III", "22", "30000.00"),  # nothing covers
            _line("II", "06", "20000.00"),  # filing lacks 06; expired licence would cover
            _line("III", "06", "10000.00"),  # duplicate reason
            _line("I", "01", "5000.00"),
        )
    )
    customer = _customer(OP_EXPIRED, FILING, blocked=True, available="100000.00", overdue=95)
    customer = replace(
        customer, group_available_credit=D("100.00"), prepayment_required=True, onboarding_approved=False
    )
    decision = decide_order(order, customer, AS_OF, POLICY)
    assert order.amount == D("105000.00")
    assert decision.approved is False
    assert decision.hold_reasons == tuple(HoldReason)  # all seven, in declaration order
    assert decision.line_reasons == ((EXPIRED,), (MISSING,), (EXPIRED, SCOPE), (EXPIRED,), ())


def test_class_one_order_passes_without_any_certificate():
    order = OrderRequest((_line("I", "01", "500.00"), _line("I", "22", "700.00")))
    decision = decide_order(order, _customer(), AS_OF, POLICY)
    assert decision.approved and decision.hold_reasons == ()
    assert decision.line_reasons == ((), ())


@pytest.mark.parametrize(
    ("category", "scope", "covered"),
    [
        ("06", ["06"], True),
        ("6840", ["6840"], True),
        (" 6840 ", ["6840"], True),
        ("06-01", ["06"], True),
        ("06", ["06-01"], False),
        ("68", ["6840"], False),
        ("6840", ["68"], False),
        ("060", ["06"], False),
        ("07", [], False),
        ("07", [""], False),
    ],
)
def test_category_in_scope(category, scope, covered):
    assert category_in_scope(category, scope) is covered


@pytest.mark.parametrize(
    ("certs", "status", "days", "expired"),
    [
        ((), "MISSING", None, False),
        ((BUSINESS,), "MISSING", None, False),
        ((replace(OP, status="needs_review"),), "MISSING", None, False),
        ((FILING,), "VALID", None, False),
        ((OP,), "VALID", 185, False),
        ((replace(OP, valid_until=date(2026, 9, 28)),), "EXPIRING", 90, False),
        ((replace(OP, valid_until=AS_OF), FILING), "EXPIRING", 0, False),
        ((OP_EXPIRED,), "EXPIRED", None, True),
        ((OP_EXPIRED, FILING), "EXPIRED", None, True),  # the class III licence lapsed
        ((OP_EXPIRED, OP), "VALID", 185, False),  # renewed
    ],
)
def test_qualification_status(certs, status, days, expired):
    assert qualification_status(certs, AS_OF, POLICY) is QualificationStatus[status]
    assert license_days_to_expiry(certs, AS_OF, POLICY) == days
    assert has_expired_license(certs, AS_OF, POLICY) is expired


def test_prepayment_required_holds_orders_on_credit_only():
    order = OrderRequest((_line("I", "01", "5000.00"),))
    customer = replace(_customer(), prepayment_required=True)
    assert decide_order(order, customer, AS_OF, POLICY).hold_reasons == (HoldReason.PREPAYMENT_REQUIRED,)
    assert decide_order(replace(order, prepaid=True), customer, AS_OF, POLICY).approved


def test_a_prepaid_order_skips_the_credit_reasons_but_not_qualification():
    order = OrderRequest((_line("III", "22", "900000.00"),), prepaid=True)
    customer = replace(_customer(FILING, blocked=True, available="0.00", overdue=120), prepayment_required=True)
    decision = decide_order(order, customer, AS_OF, POLICY)
    assert decision.hold_reasons == (HoldReason.QUALIFICATION_MISSING,)
