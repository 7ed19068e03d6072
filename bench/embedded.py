"""A throwaway embedded database for benchmarks that are not given ``MONGODB_URL``."""

from __future__ import annotations

import asyncio
import tempfile
import threading
from pathlib import Path


def start_embedded() -> str:
    """Start the embedded server in a temporary folder on a background loop; return its URL."""
    from infra.embedded_db import EmbeddedMongo

    server = EmbeddedMongo(Path(tempfile.mkdtemp(prefix="medcredit-bench-")))
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return asyncio.run_coroutine_threadsafe(server.start(), loop).result(30)
