"""``medcredit demo`` shows its progress, is idempotent and says what it skipped; the
daily sweeps log their progress and totals."""

from __future__ import annotations

import logging

import pytest

from api.demo import load_demo
from tests.conftest import LiveServer

pytestmark = pytest.mark.integration


def test_demo_twice_adds_nothing_the_second_time_and_says_so(live_server: LiveServer, capsys) -> None:  # type: ignore[no-untyped-def]
    url = live_server.url + "/graphql"
    assert load_demo(url, customers=2, seed=77) == 0
    first = capsys.readouterr()
    assert "medcredit demo [" in first.err and "2/2" in first.err and "/s" in first.err
    assert "added: 2 customers" in first.out and "skipped: nothing, all new" in first.out
    assert "2 licence scans" in first.out

    assert load_demo(url, customers=2, seed=77) == 0
    second = capsys.readouterr()
    assert "added: 0 customers, 0 invoices, 0 payments, 0 licence scans, 0 orders" in second.out
    assert "skipped (already there): 2 customers" in second.out
    assert "2 licence scans, 2 orders" in second.out
    assert "reading licences" not in second.out


def test_sweeps_log_progress_and_totals(gql, worker, caplog) -> None:  # type: ignore[no-untyped-def]
    from workers import actors

    with caplog.at_level(logging.INFO, logger="medcredit.sweep"):
        actors.rescore_all.send("test sweep")
        actors.expiry_sweep.send()
        worker.drain()
    lines = [r for r in caplog.records if r.name == "medcredit.sweep"]
    started = next(r for r in lines if r.getMessage().startswith("rescore_all started"))
    finished = next(r for r in lines if r.getMessage().startswith("rescore_all finished"))
    assert started.total > 0 and finished.done == finished.total == started.total  # type: ignore[attr-defined]
    assert finished.queued == started.total  # type: ignore[attr-defined]
    expiry = next(r for r in lines if r.getMessage().startswith("expiry_sweep finished"))
    assert {"expired", "customers_rescored"} <= set(vars(expiry))
