"""``medcredit run``: the whole system in the foreground, stopped together by Ctrl-C.

Each piece runs in its own process, as in a deployment: the embedded database (only
when ``MONGODB_URL`` is unset), the API under uvicorn, a Dramatiq worker and the
scheduler. They all get the same ``MONGODB_URL``, so workers see the API's data.

A child that dies is started again, after a pause that doubles with each quick
crash (1 s up to 30 s) and resets once it has run for a minute; the log says so.
The others keep running meanwhile: the API answers (and queues work in its outbox)
while the worker restarts, and reconnects to a restarted database on its own.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

_DB_PORT = int(os.environ.get("MEDCREDIT_DB_PORT", "27018"))


def _wait_for_port(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def running_embedded_url() -> str | None:
    """The URL of the embedded database ``medcredit run`` started, if it is up."""
    if _wait_for_port("127.0.0.1", _DB_PORT, 0.5):
        return f"mongodb://127.0.0.1:{_DB_PORT}/?directConnection=true"
    return None


def _spawn(name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # A process group of its own, so Ctrl-C reaches each child once, through us.
    process = subprocess.Popen(argv, env=env, start_new_session=True)
    print(f"medcredit: starting {name} (pid {process.pid}): {' '.join(argv)}", flush=True)
    return process


_BACKOFF_START = 1.0
_BACKOFF_MAX = 30.0
# A child that ran this long before dying was healthy: its next restart is quick again.
_HEALTHY_AFTER = 60.0


class _Child:
    """One supervised process: how to start it, and when to start it again."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.backoff = _BACKOFF_START
        self.restart_at: float | None = None
        self.process = _spawn(name, argv, env)
        self.started = time.monotonic()

    def check(self, now: float) -> None:
        """Notice a death and schedule the restart; restart when its time has come."""
        if self.restart_at is None and self.process.poll() is not None:
            if now - self.started >= _HEALTHY_AFTER:
                self.backoff = _BACKOFF_START
            print(
                f"medcredit: {self.name} exited with {self.process.returncode}; restarting it in {self.backoff:.0f} s",
                file=sys.stderr,
                flush=True,
            )
            self.restart_at = now + self.backoff
            self.backoff = min(self.backoff * 2, _BACKOFF_MAX)
        if self.restart_at is not None and now >= self.restart_at:
            self.restart_at = None
            self.process = _spawn(self.name, self.argv, self.env)
            self.started = now


def run_stack(host: str = "127.0.0.1", port: int = 8000) -> int:
    """Start every process, restart any that dies, and stop them all on Ctrl-C."""
    # Whatever the children create (database, secret, logs) is the owner's alone.
    os.umask(0o077)
    env = dict(os.environ)
    # Every process writes its metrics here and the API's /metrics merges them; samples
    # of processes from an earlier run must not be counted again.
    metrics_dir = Path(env.get("MEDCREDIT_DATA_DIR", "var")).resolve() / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    python = sys.executable
    bin_dir = Path(python).parent
    children: list[_Child] = []
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        if not env.get("MONGODB_URL"):
            db = _Child("database", [python, "-m", "api.cli", "db", "--port", str(_DB_PORT)], env)
            children.append(db)
            if not _wait_for_port("127.0.0.1", _DB_PORT, 30):
                print("medcredit: the embedded database did not start", file=sys.stderr)
                return 1
            env["MONGODB_URL"] = running_embedded_url() or ""
        children.append(
            # No per-message compression: its zlib state costs ~40 KiB per open WebSocket
            # and CPU on every event sent to every subscriber.
            _Child(
                "api",
                [
                    python,
                    "-m",
                    "uvicorn",
                    "api.asgi:app",
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--ws-per-message-deflate",
                    "false",
                ],
                env,
            )
        )
        children.append(
            _Child("worker", [str(bin_dir / "dramatiq"), "workers.actors", "--processes", "1", "--threads", "2"], env)
        )
        children.append(_Child("scheduler", [python, "-m", "workers.scheduler"], env))
        children.append(_Child("notifier", [python, "-m", "workers.notifier"], env))
        print(
            f"medcredit: GraphQL on http://{host}:{port}/graphql — Ctrl-C stops everything",
            flush=True,
        )
        while not stopping:
            now = time.monotonic()
            for child in children:
                child.check(now)
            time.sleep(0.3)
        return 0
    finally:
        # Stop the API and workers before the database they write to.
        for child in reversed(children):
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        for child in reversed(children):
            try:
                child.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                print(f"medcredit: {child.name} did not stop in time; killing it", file=sys.stderr)
                child.process.kill()
