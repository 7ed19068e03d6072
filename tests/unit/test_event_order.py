"""EventSequence: events from several processes come out once each, in id order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra.eventorder import EventSequence, event_seq

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WAIT = timedelta(seconds=5)


def event(seq: int, occurred: datetime = T0) -> dict:
    return {"id": f"{seq:020d}", "occurred_at": occurred.isoformat()}


def ids(events: list[dict]) -> list[int]:
    return [event_seq(e["id"]) for e in events]


def test_events_in_order_pass_straight_through() -> None:
    seq = EventSequence(10, max_wait=WAIT)
    released = []
    for n in (11, 12, 13):
        seq.offer(event(n))
        released += seq.release(T0)
    assert ids(released) == [11, 12, 13] and not seq.waiting


def test_event_behind_a_gap_waits_for_the_missing_one() -> None:
    seq = EventSequence(10, max_wait=WAIT)
    seq.offer(event(12))
    assert seq.release(T0) == [] and seq.waiting
    seq.offer(event(11))
    assert ids(seq.release(T0 + timedelta(milliseconds=30))) == [11, 12]
    assert not seq.waiting


def test_duplicates_and_already_released_ids_are_dropped() -> None:
    seq = EventSequence(10, max_wait=WAIT)
    for n in (11, 11, 12):
        seq.offer(event(n))
    assert ids(seq.release(T0)) == [11, 12]
    seq.offer(event(12))  # the same event again, from the store after Redis
    seq.offer(event(9))  # older than where the client resumed
    assert seq.release(T0) == [] and not seq.waiting


def test_a_lost_id_is_skipped_after_the_wait_not_before() -> None:
    # Id 11 was taken by a process that died before storing it.
    seq = EventSequence(10, max_wait=WAIT)
    seq.offer(event(12, T0))
    seq.offer(event(13, T0))
    assert seq.release(T0) == []
    assert seq.release(T0 + WAIT - timedelta(milliseconds=1)) == []
    assert ids(seq.release(T0 + WAIT)) == [12, 13]
    seq.offer(event(11, T0))  # too late: the feed has moved on and never goes back
    assert seq.release(T0 + WAIT) == []


def test_replay_over_an_old_hole_does_not_wait() -> None:
    old = T0 - timedelta(days=3)
    seq = EventSequence(0, max_wait=WAIT)
    for n in (1, 3, 4):
        seq.offer(event(n, old))
    assert ids(seq.release(T0)) == [1, 3, 4]


def test_second_gap_gets_its_own_full_wait() -> None:
    seq = EventSequence(10, max_wait=WAIT)
    seq.offer(event(12, T0))
    seq.release(T0)
    seq.offer(event(11, T0))
    seq.offer(event(14, T0 + timedelta(seconds=4)))
    assert ids(seq.release(T0 + timedelta(seconds=4))) == [11, 12]
    # 13 has been missing only since now; waiting for it starts over.
    assert seq.release(T0 + timedelta(seconds=8)) == []
    assert ids(seq.release(T0 + timedelta(seconds=9))) == [14]


@pytest.mark.parametrize("raw", ["", "abc", "-1", "1e3", "Q3VzdG9tZXI6"])
def test_malformed_ids_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        event_seq(raw)
