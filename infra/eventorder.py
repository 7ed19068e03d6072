"""Putting risk events back into id order, once per API process.

Event ids come from one atomic counter, so they are dense: 1, 2, 3, ... But a process
takes its id *before* it stores and publishes the event, so two processes can finish
out of order: the worker stores 11 while the API, holding 10, is still writing. A
subscriber that forwarded 11 at once would either show events out of order or, after
reconnecting with ``after: 11``, never see 10.

So the sequence releases events strictly in id order and holds back whatever arrives
behind a gap, until the missing id turns up (from Redis or, if its publish was lost,
from the store). A gap that outlives ``max_wait`` is an id whose process died between
taking it and storing it; it is skipped so the feed does not stall forever. This is
the "high-water mark" of event stores such as Marten's async daemon, kept once per
API process by its event hub (``infra.eventhub``), which hands the ordered events to
every subscriber.

Pure: the caller feeds events and clock readings in; nothing here does I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

Event = dict[str, Any]

# How long a gap may stay open before its id is presumed lost. Storing one event
# takes milliseconds; this only bounds the stall after a crash mid-write.
DEFAULT_MAX_WAIT = timedelta(seconds=5)


def event_seq(event_id: str) -> int:
    """The counter value behind an event id (ids are zero-padded decimal strings).

    Raises:
        ValueError: the id is not an event id.
    """
    if not event_id.isdigit():
        raise ValueError(f"not an event id: {event_id!r}")
    return int(event_id)


class EventSequence:
    """Releases events in id order, holding those that arrive behind a gap."""

    def __init__(self, last_released: int, *, max_wait: timedelta = DEFAULT_MAX_WAIT) -> None:
        self.next_seq = last_released + 1
        self.max_wait = max_wait
        self._held: dict[int, Event] = {}
        self._gap_opened: datetime | None = None

    @property
    def waiting(self) -> bool:
        """Whether events are held back behind a missing id."""
        return bool(self._held)

    def offer(self, event: Event) -> None:
        """Take an event from any source; ids already released or held are ignored."""
        seq = event_seq(event["id"])
        if seq >= self.next_seq:
            self._held.setdefault(seq, event)

    def release(self, now: datetime) -> list[Event]:
        """Return the events that are now in order, skipping a gap that waited too long."""
        out = self._take_contiguous()
        if self._held and self._gap_is_lost(now):
            self.next_seq = min(self._held)
            out += self._take_contiguous()
        if not self._held:
            self._gap_opened = None
        elif self._gap_opened is None or out:
            self._gap_opened = now  # a new gap opens now
        return out

    def _take_contiguous(self) -> list[Event]:
        out = []
        while self.next_seq in self._held:
            out.append(self._held.pop(self.next_seq))
            self.next_seq += 1
        return out

    def _gap_is_lost(self, now: datetime) -> bool:
        # Either we have waited long enough ourselves, or the event after the gap
        # was raised long ago (a replay over an old hole need not wait again).
        if self._gap_opened is not None and now - self._gap_opened >= self.max_wait:
            return True
        earliest = self._held[min(self._held)]
        occurred = datetime.fromisoformat(earliest["occurred_at"])
        return now - occurred >= self.max_wait
