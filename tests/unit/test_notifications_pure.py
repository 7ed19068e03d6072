"""The pure parts of notifications and responses: signatures, backoff, templates, policy, audiences."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bson import ObjectId

from infra.audience import concerns
from notifications.retry import MAX_DELAY, gives_up, next_delay
from notifications.signing import sign, verify
from notifications.templates import TemplateError, render
from scoring.codes import RiskGrade, Severity
from scoring.errors import PolicyError
from scoring.policy import load_policy
from scoring.responses import (
    ResponsePolicy,
    Signal,
    external_rating,
    parse_responses,
    requires_prepayment,
    signal_warnings,
)
from services.notifications import plan_event, webhook_body

POLICY = load_policy().responses
DAY = date(2026, 11, 23)


def test_signature_covers_timestamp_and_body() -> None:
    body = b'{"id":"00000000000000000042"}'
    signature = sign("whsec_a", 1700000000, body)
    assert signature.startswith("v1=") and verify("whsec_a", 1700000000, body, signature)
    assert not verify("whsec_a", 1700000001, body, signature)  # replayed with a new timestamp
    assert not verify("whsec_a", 1700000000, body + b" ", signature)
    assert not verify("whsec_b", 1700000000, body, signature)


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 2), (2, 4), (3, 8), (10, 1024)])
def test_backoff_doubles(attempts: int, seconds: int) -> None:
    assert next_delay(attempts, 2) == timedelta(seconds=seconds)


def test_backoff_is_capped_and_attempts_end() -> None:
    assert next_delay(30, 2) == MAX_DELAY
    assert not gives_up(11, 12) and gives_up(12, 12)


def test_packaged_templates_render_in_chinese(tmp_path) -> None:  # type: ignore[no-untyped-def]
    values = {
        "customer_name": "南京康泰",
        "customer_code": "C1",
        "kind_name": "催收",
        "severity_name": "中",
        "message": "逾期",
        "warning_id": "wrn_1",
        "sender_name": "x",
        "today": "2026-11-23",
        "overdue_amount": "1,000.00",
        "days_overdue": "35",
    }
    warning = render("warning", values)
    assert warning.subject == "【信用预警·中】南京康泰：催收"
    reminder = render("overdue_reminder_customer", values)
    assert "逾期 35 天" in reminder.body and "1,000.00" in reminder.body
    # A deployment's own file replaces the packaged one; a missing placeholder is an error.
    (tmp_path / "warning.txt").write_text("Subject: 预警 $customer_name\n\n$message\n", encoding="utf-8")
    assert render("warning", values, tmp_path).subject == "预警 南京康泰"
    (tmp_path / "warning.txt").write_text("Subject: $nobody\n\nx\n", encoding="utf-8")
    with pytest.raises(TemplateError):
        render("warning", values, tmp_path)


def _event(type_: str, severity: str, payload: dict) -> dict:
    return {
        "_id": "00000000000000000007",
        "type": type_,
        "severity": severity,
        "customer_id": ObjectId(),
        "occurred_at": datetime(2026, 11, 23, tzinfo=UTC),
        "payload": payload,
    }


def test_planning_mails_roles_and_the_customer_and_posts_to_matching_webhooks() -> None:
    warning = ObjectId()
    event = _event(
        "WARNING_RAISED",
        "LOW",
        {
            "warningId": f"wrn_{warning}",
            "kind": "OVERDUE_REMINDER",
            "severity": "LOW",
            "notifyRoles": ["SALES", "FINANCE"],
        },
    )
    recipients = {"SALES": ["s@x.cn", "both@x.cn"], "FINANCE": ["both@x.cn"], "EXECUTIVE": ["ceo@x.cn"]}
    hooks = [
        {
            "_id": ObjectId(),
            "url": "http://a",
            "min_severity": "INFO",
            "event_types": [],
            "disabled": False,
            "deleted_at": None,
        },
        {
            "_id": ObjectId(),
            "url": "http://b",
            "min_severity": "HIGH",
            "event_types": [],
            "disabled": False,
            "deleted_at": None,
        },
        {
            "_id": ObjectId(),
            "url": "http://c",
            "min_severity": "INFO",
            "event_types": ["ORDER_HELD"],
            "disabled": False,
            "deleted_at": None,
        },
        {
            "_id": ObjectId(),
            "url": "http://d",
            "min_severity": "INFO",
            "event_types": [],
            "disabled": True,
            "deleted_at": None,
        },
    ]
    customer = {"attributes": {"contact_email": "ap@customer.cn"}}
    planned = plan_event(event, recipients, hooks, customer, datetime.now(UTC))
    targets = sorted((d["channel"], d["target"]) for d in planned)
    assert targets == [
        ("EMAIL", "ap@customer.cn"),
        ("EMAIL", "both@x.cn"),
        ("EMAIL", "s@x.cn"),
        ("WEBHOOK", "http://a"),
    ]
    assert all(d["warning_id"] == warning for d in planned)
    # The same warning at the same severity plans the same e-mail ids: mailed once, however often it changes.
    again = plan_event(
        {**event, "_id": "00000000000000000009", "type": "WARNING_CHANGED"}, recipients, [], customer, datetime.now(UTC)
    )
    assert {d["_id"] for d in again} <= {d["_id"] for d in planned}


def test_webhook_body_is_the_public_event() -> None:
    event = _event("ORDER_HELD", "MEDIUM", {"holdReasons": ["PREPAYMENT_REQUIRED"]})
    body = webhook_body(event)
    assert body.startswith(b'{"id":"00000000000000000007","type":"ORDER_HELD"') and b"cus_" in body


@pytest.mark.parametrize(
    ("grade", "kinds", "required"),
    [
        (RiskGrade.E, [], True),
        (RiskGrade.D, [], False),
        (RiskGrade.B, ["SEVERE_OVERDUE"], True),
        (None, ["COLLECTION"], False),
    ],
)
def test_prepayment_follows_grade_or_warning(grade, kinds, required) -> None:  # type: ignore[no-untyped-def]
    assert requires_prepayment(grade, kinds, POLICY) is required


def test_signals_move_the_external_rating_while_in_force() -> None:
    assert external_rating([], DAY, POLICY) is None
    rating = Signal("EXTERNAL_RATING", Severity.INFO, DAY - timedelta(days=400), 85.0)
    lawsuit = Signal("LAWSUIT", Severity.HIGH, DAY - timedelta(days=10))
    old_news = Signal("NEGATIVE_NEWS", Severity.CRITICAL, DAY - timedelta(days=POLICY.signal_active_days))
    assert external_rating([rating], DAY, POLICY) == 85.0
    assert external_rating([rating, lawsuit, old_news], DAY, POLICY) == 65.0  # the old news has lapsed
    assert external_rating([lawsuit], DAY, POLICY) == POLICY.neutral_rating - 20
    warned = signal_warnings([rating, lawsuit, Signal("LAWSUIT", Severity.LOW, DAY), old_news], DAY, POLICY)
    assert [(kind, level, count) for kind, level, _, count in warned] == [("LAWSUIT", Severity.HIGH, 2)]


def test_critical_signals_tell_executives_and_block() -> None:
    rule = POLICY.signal_rules[Severity.CRITICAL]
    assert rule.blocks and rule.notify[0].value == "EXECUTIVE"


def test_responses_table_is_optional_and_checked() -> None:
    assert parse_responses({}) == ResponsePolicy()
    with pytest.raises(PolicyError):
        parse_responses({"prepayment_grades": ["Z"]})
    with pytest.raises(PolicyError):
        parse_responses({"signals": {"HIGH": {"notify": ["NOBODY"]}}})


def test_event_audiences() -> None:
    reminder = {"type": "WARNING_RAISED", "payload": {"notifyRoles": ["SALES"]}}
    assert concerns(reminder, "SALES") and not concerns(reminder, "FINANCE") and concerns(reminder, "ADMIN")
    assert concerns({"type": "ORDER_HELD", "payload": {}}, "SALES")
    assert not concerns({"type": "DOCUMENT_STATUS", "payload": {}}, "FINANCE")
    assert concerns({"type": "SOMETHING_NEW", "payload": {}}, "CREDIT_MANAGER")
