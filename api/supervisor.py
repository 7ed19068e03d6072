"""``medcredit run``: the whole system in the foreground, stopped together by Ctrl-C.

Each piece runs in its own process, as in a deployment: the embedded database (only
when ``MONGODB_URL`` is unset), the API under uvicorn, a Dramatiq worker and the
scheduler. They all get the same ``MONGODB_URL``, so workers see the API's data.
"""

from __future__ import annotations

import os
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


def _spawn(name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    print(f"medcredit: starting {name}: {' '.join(argv)}", flush=True)
    # A process group of its own, so Ctrl-C reaches each child once, through us.
    return subprocess.Popen(argv, env=env, start_new_session=True)


def run_stack(host: str = "127.0.0.1", port: int = 8000) -> int:
    """Start every process, wait until one exits or Ctrl-C, then stop them all."""
    # Whatever the children create (database, secret, logs) is the owner's alone.
    os.umask(0o077)
    env = dict(os.environ)
    python = sys.executable
    bin_dir = Path(python).parent
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        if not env.get("MONGODB_URL"):
            db = _spawn("embedded database", [python, "-m", "api.cli", "db", "--port", str(_DB_PORT)], env)
            children.append(("database", db))
            if not _wait_for_port("127.0.0.1", _DB_PORT, 30):
                print("medcredit: the embedded database did not start", file=sys.stderr)
                return 1
            env["MONGODB_URL"] = f"mongodb://127.0.0.1:{_DB_PORT}/?directConnection=true"
        children.append(
            (
                "api",
                _spawn(
                    "api",
                    [python, "-m", "uvicorn", "api.asgi:app", "--host", host, "--port", str(port)],
                    env,
                ),
            )
        )
        children.append(
            (
                "worker",
                _spawn(
                    "worker",
                    [
                        str(bin_dir / "dramatiq"),
                        "workers.actors",
                        "--processes",
                        "1",
                        "--threads",
                        "2",
                    ],
                    env,
                ),
            )
        )
        children.append(("scheduler", _spawn("scheduler", [python, "-m", "workers.scheduler"], env)))
        print(
            f"medcredit: GraphQL on http://{host}:{port}/graphql — Ctrl-C stops everything",
            flush=True,
        )
        while not stopping:
            for name, child in children:
                if child.poll() is not None:
                    print(
                        f"medcredit: {name} exited with {child.returncode}; stopping",
                        file=sys.stderr,
                    )
                    stopping = True
            time.sleep(0.3)
        return 0
    finally:
        # Stop the API and workers before the database they write to.
        for _, child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for name, child in reversed(children):
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                print(f"medcredit: {name} did not stop in time; killing it", file=sys.stderr)
                child.kill()
