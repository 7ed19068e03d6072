"""The embedded MongoDB-compatible server used when ``MONGODB_URL`` is unset.

mongoeco's wire server over its SQLite engine speaks the MongoDB protocol, so Motor
talks to it exactly as to a real replica set: one code path for tests, demos and a
single-site deployment. Production points ``MONGODB_URL`` at real MongoDB instead.
The engine it runs is ``infra.embedded_engine``'s, corrected for medcredit's load.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from mongoeco.wire.proxy import AsyncMongoEcoProxyServer

from infra.embedded_engine import FastIdSQLiteEngine
from infra.settings import private_dir, private_file


class EmbeddedMongo:
    """Runs the wire server over a SQLite file; ``url`` is what Motor connects to."""

    def __init__(self, data_dir: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        # The database holds every customer's credit data: 0700 folder, 0600 file. SQLite
        # gives its -wal and -shm files the database file's mode, so they are 0600 too.
        private_dir(data_dir)
        self._engine = FastIdSQLiteEngine(str(private_file(data_dir / "medcredit.sqlite3")))
        self._server = AsyncMongoEcoProxyServer(engine=self._engine, host=host, port=port)
        self.url = ""

    async def start(self) -> str:
        address = await self._server.start()
        self.url = f"mongodb://{address.host}:{address.port}/?directConnection=true"
        return self.url

    async def stop(self) -> None:
        await self._server.close()

    async def serve_forever(self) -> None:
        """Start and keep serving until cancelled (for the ``medcredit db`` process)."""
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()
