"""One subscriber's stream of risk events: what it missed from the store, then live from the hub.

A client that passes ``after`` first gets the stored events after that id, read in pages;
when it is close to the hub's position it joins the hub and reads the last stretch up to
the position it joined at, so nothing falls between the replay and the live feed. Every
event reaches the subscriber once and in id order: the hub releases in id order, and
anything at or before the last id delivered is dropped.

Per-subscriber filtering happens in one place, ``EventFilter.select``: what a subscriber
may see of an event (and, later, which parts of it) is decided there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from bson import ObjectId

from infra import ids
from infra.audience import concerns
from infra.eventhub import EventHub, HubSubscription
from infra.eventorder import Event, event_seq
from infra.events import to_wire
from scoring.codes import Severity
from store import events as store

# Yielded by ``stream_events`` when nothing was delivered for a heartbeat interval.
HEARTBEAT = None


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What one ``riskEvents`` subscriber asked for."""

    customer_id: ObjectId | None = None
    min_severity: Severity = Severity.INFO
    # Only events that concern this role (infra.audience), e.g. SALES: its reminders and orders.
    role: str | None = None
    # Wire events carry the customer's public id: encoded once here, not once per event.
    _wire_customer: str | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.customer_id is not None:
            object.__setattr__(self, "_wire_customer", ids.encode_id("Customer", self.customer_id))

    def select(self, event: Event) -> Event | None:
        """The event as this subscriber receives it, or None when it does not match.

        The GraphQL result is computed once per event *object* and query text
        (``schema.shared_results``): a subscriber who must see an event differently
        (redacted, say) gets a different object, made once per variant and event, not
        once per subscriber, so that subscribers alike still share the work.
        """
        if self._wire_customer is not None and event["customer_id"] != self._wire_customer:
            return None
        if Severity(event["severity"]) < self.min_severity:
            return None
        if self.role is not None and not concerns(event, self.role):
            return None
        return event


async def stream_events(
    hub: EventHub,
    wanted: EventFilter,
    *,
    after: int | None,
) -> AsyncIterator[Event | None]:
    """Yield the wire-form events (``infra.events.to_wire``) that ``wanted`` selects, forever.

    ``after`` is the counter value of the last event the client saw; without it the
    stream starts with the next event released. Yields ``HEARTBEAT`` (None) when the hub's
    heartbeat interval passed without an event, so the caller can ping the client.

    Raises:
        SubscriptionClosed: the hub closed the subscription (too slow, or shutting down).
    """
    last = after
    if after is not None:
        caught_up = after
        # Catch up from the store without holding a queue in the hub meanwhile.
        while hub.position - caught_up > hub.options.page_size:
            upto = hub.position
            async for event in _replay(hub, wanted, caught_up, upto=upto):
                caught_up = event_seq(event["id"])
                yield event
            caught_up = max(caught_up, upto)
        last = caught_up
    subscription = hub.subscribe(wanted.select)
    try:
        if last is not None and last < subscription.joined_at:
            async for replayed in _replay(hub, wanted, last, upto=subscription.joined_at):
                yield replayed
            last = subscription.joined_at
        async for item in live(subscription):
            if item is not None:
                seq = event_seq(item["id"])
                if last is not None and seq <= last:
                    continue  # already replayed, or before the client's `after`
                last = seq
            yield item
    finally:
        subscription.cancel()


async def live(subscription: HubSubscription) -> AsyncIterator[Event | None]:
    """The subscription's events as the hub queues them, with ``HEARTBEAT`` in idle spells.

    Raises:
        SubscriptionClosed: the hub closed the subscription (too slow, or shutting down).
    """
    while True:
        yield await subscription.get()  # None: a heartbeat interval passed without an event


async def _replay(hub: EventHub, wanted: EventFilter, after: int, *, upto: int) -> AsyncIterator[Event]:
    """Stored events in (``after``, ``upto``] that ``wanted`` selects, in id order, a page at a time."""
    cursor = store.format_event_id(after)
    while True:
        page = await store.events_after(hub.db, cursor, customer_id=wanted.customer_id, limit=hub.options.page_size)
        for stored in page:
            if event_seq(stored["_id"]) > upto:
                return
            chosen = wanted.select(to_wire(stored))
            if chosen is not None:
                yield chosen
        if len(page) < hub.options.page_size:
            return
        cursor = page[-1]["_id"]
