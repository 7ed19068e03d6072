"""A throwaway embedded database for benchmarks that are not given ``MONGODB_URL``."""

from __future__ import annotations

import asyncio
import atexit
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def start_embedded() -> str:
    """Start the embedded server in a temporary folder on a background loop; return its URL."""
    from infra.embedded_db import EmbeddedMongo

    server = EmbeddedMongo(Path(tempfile.mkdtemp(prefix="medcredit-bench-")))
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return asyncio.run_coroutine_threadsafe(server.start(), loop).result(30)


_processes: list[int] = []


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) used so far by ``pid``, or by the embedded database process
    ``start_embedded_process`` started; 0.0 where ``/proc`` cannot tell."""
    target = pid if pid is not None else (_processes[-1] if _processes else None)
    try:
        fields = Path(f"/proc/{target}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_embedded_process() -> str:
    """Start the embedded server in a process of its own, as a deployment runs it
    (``medcredit db``, or ``medcredit up``), in a temporary folder; return its URL.

    In the benchmark's own process it would share one interpreter lock with the code
    being measured, which no deployment does. It stops when the benchmark exits.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tempfile.mkdtemp(prefix="medcredit-bench-")
    serve = (
        "import asyncio, sys; from pathlib import Path; from infra.embedded_db import EmbeddedMongo; "
        "asyncio.run(EmbeddedMongo(Path(sys.argv[1]), port=int(sys.argv[2])).serve_forever())"
    )
    server = subprocess.Popen([sys.executable, "-c", serve, folder, str(port)])
    atexit.register(server.terminate)
    _processes.append(server.pid)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return f"mongodb://127.0.0.1:{port}/?directConnection=true"
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("the embedded database process exited at start") from None
            time.sleep(0.05)
    raise RuntimeError("the embedded database did not start in 30 s")
