"""Notification latency: ``python -m bench.notification_latency [--events 200] [--rate 20]``.

Starts a real SMTP server (aiosmtpd) and a webhook receiver on loopback ports, the
notifier as its own process (``python -m workers.notifier``, as ``medcredit run`` starts
it), and raises warning events through ``infra.events.record_event`` at a steady pace, as
the workers do. Each event notifies one role with one address and one webhook. Reports,
per channel, the time from the event being raised (its ``occurredAt``) to the SMTP
server accepting the e-mail and to the receiver getting the signed POST, and checks
that each arrived exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.embedded import start_embedded


class _Arrivals:
    def __init__(self) -> None:
        self.at: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    def add(self, key: str) -> None:
        now = time.time()
        with self.lock:
            self.at.setdefault(key, []).append(now)

    def count(self) -> int:
        with self.lock:
            return len(self.at)


def _smtp(arrivals: _Arrivals) -> tuple[Any, int]:
    import email
    import email.policy

    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            arrivals.add(str(message["X-Medcredit-Warning-Id"]).removeprefix("wrn_"))
            return "250 OK"

    from tests.support.notify import free_port

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def _receiver(arrivals: _Arrivals) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            arrivals.add(self.headers["X-Medcredit-Event-Id"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def _summary(name: str, latencies_ms: list[float], expected: int, duplicates: int) -> None:
    if not latencies_ms:
        print(f"{name}: nothing arrived")
        return
    ordered = sorted(latencies_ms)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    print(
        f"{name}: {len(ordered)}/{expected} arrived, {duplicates} duplicates; "
        f"p50 {statistics.median(ordered):.1f} ms, p90 {p(0.90):.1f} ms, p99 {p(0.99):.1f} ms, max {ordered[-1]:.1f} ms"
    )


async def _produce(events: int, rate: float, address: str, hook_url: str) -> list[tuple[str, str, datetime]]:
    from bson import ObjectId

    from infra.events import record_event
    from infra.runtime import open_runtime
    from infra.settings import load_settings
    from scoring.codes import Severity
    from services.webhooks import create_webhook
    from store.deliveries import cursor, set_role_recipients

    raised = []
    async with open_runtime(load_settings()) as rt:
        await set_role_recipients(rt.db, "SALES", [address])
        await create_webhook(rt, hook_url, Severity.INFO, ["WARNING_RAISED"], actor="bench")
        deadline = time.monotonic() + 60
        while await cursor(rt.db) is None:  # the notifier has started and taken its position
            if time.monotonic() > deadline:
                raise RuntimeError("the notifier did not start")
            await asyncio.sleep(0.1)
        added = await rt.db.customers.insert_one({"code": "BENCH", "legal_name": "基准测试医疗器械有限公司"})
        customer = added.inserted_id
        for _ in range(events):
            warning = ObjectId()
            event = await record_event(
                rt.db, rt.redis, "WARNING_RAISED", Severity.LOW, customer,
                {"warningId": f"wrn_{warning}", "kind": "OVERDUE_REMINDER", "severity": "LOW",
                 "message": "逾期 Overdue: bench", "notifyRoles": ["SALES"]},
            )  # fmt: skip
            raised.append((str(warning), event["_id"], event["occurred_at"]))
            await asyncio.sleep(1 / rate)
    return raised


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="events per second")
    args = parser.parse_args()

    mails, posts = _Arrivals(), _Arrivals()
    controller, smtp_port = _smtp(mails)
    receiver, hook_port = _receiver(posts)
    env = dict(os.environ)
    env.setdefault("MONGODB_URL", os.environ.get("MONGODB_URL") or start_embedded())
    env.update(
        MONGODB_DB=f"medcredit_bench_{uuid.uuid4().hex[:8]}",
        MEDCREDIT_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        MEDCREDIT_SECRET=env.get("MEDCREDIT_SECRET") or "bench-secret-" + "x" * 40,
        MEDCREDIT_LOG_LEVEL="WARNING",
    )
    os.environ.update(env)
    notifier = subprocess.Popen([sys.executable, "-m", "workers.notifier"], env=env)
    try:
        raised = asyncio.run(
            _produce(args.events, args.rate, "sales@bench.example.cn", f"http://127.0.0.1:{hook_port}/hook")
        )
        deadline = time.monotonic() + 60
        while (mails.count() < len(raised) or posts.count() < len(raised)) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        notifier.terminate()
        notifier.wait(15)
        controller.stop()
        receiver.shutdown()
    mail_ms = [(mails.at[w][0] - at.timestamp()) * 1000 for w, _, at in raised if w in mails.at]
    post_ms = [(posts.at[e][0] - at.timestamp()) * 1000 for _, e, at in raised if e in posts.at]
    print(f"{len(raised)} warning events at {args.rate:g}/s; notifier: one process (python -m workers.notifier)")
    _summary("event → e-mail accepted by SMTP", mail_ms, len(raised), sum(len(v) - 1 for v in mails.at.values()))
    _summary("event → webhook received", post_ms, len(raised), sum(len(v) - 1 for v in posts.at.values()))
    return 0 if len(mail_ms) == len(post_ms) == len(raised) else 1


if __name__ == "__main__":
    sys.exit(main())
