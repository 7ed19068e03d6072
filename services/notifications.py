"""Notifications driven by the stored events: plan deliveries, send them, retry with backoff.

The ``events`` collection is the outbox. A notifier reads it in id order from its
cursor, turns each event into deliveries (e-mails to the people of the roles a warning
notifies and, for a payment reminder, to the customer; a POST to every webhook whose
filter selects the event), stores them, and only then moves the cursor: a crash
between the two plans the same deliveries again, which their ids make harmless. Each
delivery is tried until it succeeds or runs out of attempts, every attempt recorded
(``Warning.deliveries``). So a notification is sent at least once; receivers
de-duplicate webhooks by the event id they carry.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bson import ObjectId

from infra import ids
from infra.events import record_event, to_wire
from infra.runtime import Runtime
from notifications.retry import gives_up, next_delay
from notifications.templates import KIND_NAMES, SEVERITY_NAMES, TemplateError, render
from scoring.codes import Severity
from scoring.ledger import max_days_overdue
from services.channels import DeliveryFailed, SmtpMailer, WebhookSender
from services.facts import to_invoice
from store import customers as customer_store
from store import deliveries as store
from store import events as event_store
from store import ledger as ledger_store

log = logging.getLogger("medcredit.notifications")

EMAIL, WEBHOOK = "EMAIL", "WEBHOOK"
WARNING_EVENTS = frozenset({"WARNING_RAISED", "WARNING_CHANGED"})
# The warning kind whose e-mail also goes to the customer's own contact.
CUSTOMER_REMINDER_KIND = "OVERDUE_REMINDER"
# How long a claimed delivery is ours before another notifier may try it.
LEASE = timedelta(minutes=2)
# An event id missing from the store (its writer still busy, or dead) is waited for this long.
GAP_WAIT_SECONDS = 5.0
PAGE = 500
SEND_CONCURRENCY = 16


def _delivery(
    key: str, event: dict[str, Any], channel: str, target: str, now: datetime, **extra: Any
) -> dict[str, Any]:
    return {
        "_id": key,
        "event_id": event["_id"],
        "customer_id": event["customer_id"],
        "channel": channel,
        "target": target,
        "status": store.PENDING,
        "attempts": 0,
        "last_error": None,
        "created_at": now,
        "next_attempt_at": now,
        "delivered_at": None,
        **extra,
    }


def plan_event(
    event: dict[str, Any],
    recipients: dict[str, list[str]],
    hooks: list[dict[str, Any]],
    customer: dict[str, Any] | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """The deliveries one stored event calls for.

    E-mails are keyed by warning and severity, not by event: a warning whose text
    changes every day (days overdue) is mailed when raised and when it grows more
    severe, not daily. Webhooks receive every event their filter selects.
    """
    planned: dict[str, dict[str, Any]] = {}
    payload = event.get("payload") or {}
    if event["type"] in WARNING_EVENTS and payload.get("warningId"):
        warning_oid = ids.decode_oid(payload["warningId"], "Warning")
        severity = payload.get("severity", event["severity"])
        for role in payload.get("notifyRoles", []):
            for email in recipients.get(role, []):
                key = f"{warning_oid}:{severity}:{EMAIL}:{email}"
                planned.setdefault(
                    key, _delivery(key, event, EMAIL, email, now, template="warning", warning_id=warning_oid)
                )
        contact = ((customer or {}).get("attributes") or {}).get("contact_email")
        if payload.get("kind") == CUSTOMER_REMINDER_KIND and isinstance(contact, str) and "@" in contact:
            key = f"{warning_oid}:{severity}:{EMAIL}:{contact}"
            planned[key] = _delivery(
                key, event, EMAIL, contact, now, template="overdue_reminder_customer", warning_id=warning_oid
            )
    warning_oid = ids.decode_oid(payload["warningId"], "Warning") if payload.get("warningId") else None
    level = Severity(event["severity"])
    for hook in hooks:
        if hook.get("disabled") or hook.get("deleted_at") is not None:
            continue
        if level < Severity(hook["min_severity"]) or (hook["event_types"] and event["type"] not in hook["event_types"]):
            continue
        key = f"{event['_id']}:{WEBHOOK}:{hook['_id']}"
        planned[key] = _delivery(key, event, WEBHOOK, hook["url"], now, webhook_id=hook["_id"], warning_id=warning_oid)
    return list(planned.values())


def webhook_body(event: dict[str, Any]) -> bytes:
    """The JSON a webhook receives: the event as subscribers see it."""
    wire = to_wire(event)
    body = {
        "id": wire["id"],
        "type": wire["type"],
        "severity": wire["severity"],
        "customerId": wire["customer_id"],
        "occurredAt": wire["occurred_at"],
        "payload": wire["payload"],
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class Notifier:
    """Plans and sends the deliveries of one process; several may run side by side."""

    rt: Runtime
    mailer: SmtpMailer | None = None
    webhooks: WebhookSender = field(default_factory=WebhookSender)
    _gaps: dict[int, float] = field(default_factory=dict)
    # The planning cursor as this notifier last left it (read from the store once).
    _position: int | None = None
    # What planning already read for the deliveries it just made (event, customer, webhook),
    # so their first attempt costs no reads: a delivery's first attempt is its common case.
    _context: dict[str, tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]] = field(
        default_factory=dict
    )

    @classmethod
    def for_runtime(cls, rt: Runtime) -> Notifier:
        """A notifier on the runtime's settings; it sends e-mail only when an SMTP URL is set."""
        settings = rt.settings
        mailer = SmtpMailer(settings.smtp_url, settings.smtp_sender) if settings.smtp_url else None
        return cls(rt, mailer)

    async def aclose(self) -> None:
        """Close the webhook sender's connections."""
        await self.webhooks.aclose()

    async def run_once(self, now: datetime | None = None, *, sweep: bool = True) -> int:
        """Plan the new events and send their deliveries; with ``sweep``, also every other
        delivery due at ``now`` (retries). Returns the attempts made."""
        now = now or datetime.now(UTC)
        planned = await self.plan(now)
        attempts = await self._send_planned(planned, now)
        return attempts + (await self.send_due(now) if sweep else 0)

    async def _send_planned(self, planned: list[dict[str, Any]], now: datetime) -> int:
        """Send the deliveries this notifier just stored: they were stored already leased to it,
        so no claim (and no search through the collection) is needed."""
        for start in range(0, len(planned), SEND_CONCURRENCY):
            batch = planned[start : start + SEND_CONCURRENCY]
            await asyncio.gather(*(self.attempt(d, now, self._context.get(d["_id"])) for d in batch))
        self._context.clear()
        return len(planned)

    async def plan(self, now: datetime) -> list[dict[str, Any]]:
        """Turn the events after the cursor into stored deliveries; returns the new ones.

        The new ones are stored leased to this notifier (see :meth:`_send_planned`); one
        that is not sent (a crash) is picked up by the retry sweep when the lease ends.
        """
        db = self.rt.db
        position = self._position if self._position is not None else await store.cursor(db)
        if position is None:
            # A fresh deployment starts at the newest event: history is not mailed out.
            await store.move_cursor(db, None, await event_store.last_event_seq(db))
            position = await store.cursor(db)
            assert position is not None
        self._position = position
        new: list[dict[str, Any]] = []
        while True:
            page = await event_store.events_after(db, event_store.format_event_id(position), limit=PAGE)
            if not page:
                return new
            taken: list[dict[str, Any]] = []
            expected = position + 1
            for event in page:
                seq = int(event["_id"])
                # An id not stored yet is waited for (its writer is busy), then given up (it died).
                while seq > expected and self._gap_given_up(expected):
                    expected += 1
                if seq != expected:
                    break
                taken.append(event)
                expected += 1
            if not taken:
                return new
            new.extend(await self._plan_events(taken, now))
            start = position
            position = int(taken[-1]["_id"])
            await store.move_cursor(db, start, position)
            self._position = position
            if len(taken) < len(page) or len(page) < PAGE:
                return new

    def _gap_given_up(self, seq: int) -> bool:
        """Whether a missing id has been missing long enough to go on without it."""
        first_seen = self._gaps.setdefault(seq, time.monotonic())
        if time.monotonic() - first_seen >= GAP_WAIT_SECONDS:
            del self._gaps[seq]
            return True
        return False

    async def _plan_events(self, events: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        db = self.rt.db
        recipients = await store.role_recipients(db)
        hooks = await store.webhooks(db)
        by_id = {hook["_id"]: hook for hook in hooks}
        customers: dict[ObjectId, dict[str, Any] | None] = {}
        planned: list[dict[str, Any]] = []
        for event in events:
            cid = event["customer_id"]
            if event["type"] in WARNING_EVENTS and cid not in customers:
                customers[cid] = await customer_store.get_customer_fields(db, cid, ("attributes", "legal_name", "code"))
            for delivery in plan_event(event, recipients, hooks, customers.get(cid), now):
                delivery["next_attempt_at"] = now + LEASE  # ours to send first (see plan)
                planned.append(delivery)
                hook = by_id.get(delivery.get("webhook_id"))
                self._context[delivery["_id"]] = (event, customers.get(cid), hook)
        stored = set(await store.insert_deliveries(db, planned))
        return [d for d in planned if d["_id"] in stored]

    async def send_due(self, now: datetime) -> int:
        """Attempt every delivery due at ``now``, a few at a time."""
        attempts = 0
        while True:
            batch = []
            for _ in range(SEND_CONCURRENCY):
                claimed = await store.claim_due(self.rt.db, now, LEASE)
                if claimed is None:
                    break
                batch.append(claimed)
            if not batch:
                return attempts
            await asyncio.gather(*(self.attempt(delivery, now) for delivery in batch))
            attempts += len(batch)

    async def attempt(
        self,
        delivery: dict[str, Any],
        now: datetime,
        context: tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None] | None = None,
    ) -> None:
        """Send one delivery and record the outcome (and the next try, if any).

        ``context`` is what planning read (event, customer, webhook); retries read afresh.
        """
        db, settings = self.rt.db, self.rt.settings
        attempts = int(delivery.get("attempts", 0)) + 1
        known_event, known_customer, known_hook = context or (None, None, None)
        hook: dict[str, Any] | None = None
        try:
            event = known_event or await event_store.get_event(db, delivery["event_id"])
            if event is None:
                raise DeliveryFailed("event not found")
            if delivery["channel"] == EMAIL:
                await self._email(delivery, event, known_customer)
            else:
                hook = known_hook or await store.get_webhook(db, delivery["webhook_id"])
                await self._post(delivery, event, hook)
        except DeliveryFailed as failed:
            reason = str(failed)
            last = gives_up(attempts, settings.notify_max_attempts) or reason == "webhook disabled"
            await store.finish_delivery(
                db,
                delivery["_id"],
                {
                    "status": store.FAILED if last else store.RETRYING,
                    "attempts": attempts,
                    "last_error": reason,
                    "last_attempt_at": now,
                    "next_attempt_at": None if last else now + next_delay(attempts, settings.notify_backoff_seconds),
                },
            )
            if delivery["channel"] == WEBHOOK and reason != "webhook disabled":
                await store.count_webhook_failure(db, delivery["webhook_id"])
                if last:
                    await self._disable_webhook(delivery, reason)
            return
        await store.finish_delivery(
            db,
            delivery["_id"],
            {
                "status": store.DELIVERED,
                "attempts": attempts,
                "last_error": None,
                "last_attempt_at": now,
                "delivered_at": datetime.now(UTC),
                "next_attempt_at": None,
            },
        )
        if delivery["channel"] == WEBHOOK and (hook is None or hook.get("consecutive_failures")):
            await store.update_webhook(db, delivery["webhook_id"], {"consecutive_failures": 0})

    async def _email(self, delivery: dict[str, Any], event: dict[str, Any], customer: dict[str, Any] | None) -> None:
        if self.mailer is None:
            raise DeliveryFailed("no SMTP server configured (MEDCREDIT_SMTP_URL)")
        if customer is None:
            customer = await customer_store.get_customer(self.rt.db, event["customer_id"]) or {}
        values = await self._values(delivery["template"], event, customer)
        try:
            rendered = render(delivery["template"], values, self.rt.settings.templates_dir)
        except (TemplateError, OSError) as exc:  # a deployment's template is broken or missing
            raise DeliveryFailed(str(exc)) from None
        headers = {"X-Medcredit-Event-Id": event["_id"]}
        if event.get("payload", {}).get("warningId"):
            headers["X-Medcredit-Warning-Id"] = event["payload"]["warningId"]
        await self.mailer.send(
            delivery["target"], rendered.subject, rendered.body, message_id=delivery["_id"], headers=headers
        )

    async def _values(self, template: str, event: dict[str, Any], customer: dict[str, Any]) -> dict[str, str]:
        payload = event.get("payload") or {}
        values = {
            "customer_name": str(customer.get("legal_name", "")),
            "customer_code": str(customer.get("code", "")),
            "kind_name": KIND_NAMES.get(payload.get("kind", ""), str(payload.get("kind", ""))),
            "severity_name": SEVERITY_NAMES.get(payload.get("severity", ""), str(payload.get("severity", ""))),
            "message": str(payload.get("message", "")),
            "warning_id": str(payload.get("warningId", "")),
            "sender_name": self.rt.settings.smtp_sender,
        }
        if template == "overdue_reminder_customer":
            day: date = event["occurred_at"].date()
            stored = await ledger_store.invoices_of(self.rt.db, customer["_id"], open_only=True)
            invoices = [to_invoice(d) for d in stored]
            overdue = sum((i.open_amount for i in invoices if i.due_on < day), start=0)
            values.update(
                today=day.isoformat(),
                overdue_amount=f"{overdue:,.2f}",
                days_overdue=str(max_days_overdue(invoices, day)),
            )
        return values

    async def _post(self, delivery: dict[str, Any], event: dict[str, Any], hook: dict[str, Any] | None) -> None:
        if hook is None or hook.get("disabled") or hook.get("deleted_at") is not None:
            raise DeliveryFailed("webhook disabled")
        await self.webhooks.post(hook["url"], hook["secret"], event["_id"], webhook_body(event))

    async def _disable_webhook(self, delivery: dict[str, Any], last_error: str) -> None:
        """A delivery failed every attempt (an outage of the whole backoff span): stop the webhook.

        Its other open deliveries end too, and an event says so; the owner creates it again
        once the receiver is fixed.
        """
        db = self.rt.db
        hook = await store.disable_webhook(db, delivery["webhook_id"])
        if hook is None:
            return  # disabled already (by another notifier, or before)
        attempts = self.rt.settings.notify_max_attempts
        reason = f"event {delivery['event_id']} failed {attempts} attempts; last: {last_error}"
        await store.fail_open_deliveries_of_webhook(db, delivery["webhook_id"], "webhook disabled")
        log.warning("webhook %s disabled: %s", hook["url"], reason)
        await record_event(
            db,
            self.rt.redis,
            "WEBHOOK_DISABLED",
            Severity.HIGH,
            delivery["customer_id"],
            {"webhookId": ids.encode_id("Webhook", hook["_id"]), "url": hook["url"], "reason": reason},
        )
