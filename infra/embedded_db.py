"""The embedded MongoDB-compatible server used when ``MONGODB_URL`` is unset.

mongoeco's wire server over its SQLite engine speaks the MongoDB protocol, so Motor
talks to it exactly as to a real replica set: one code path for tests, demos and a
single-site deployment. Production points ``MONGODB_URL`` at real MongoDB instead.

Why the engine subclass: as shipped (mongoeco 4.11) every insert re-reads the whole
collection to check ``_id`` uniqueness, because single inserts ask for a payload scan
and the implicit ``_id_`` index has no physical entry to probe. For an ``_id`` that
holds no number (ObjectId, string) the primary-key lookup on the storage key already
decides uniqueness, so both scans are skipped for such ids. Numeric ids keep the scan,
because MongoDB treats ``1`` and ``1.0`` as the same key and the storage key does not.
``tests/integration/test_embedded_db.py`` holds both properties (flat insert cost,
duplicates still rejected) so a mongoeco upgrade that changes the internals fails loudly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from pathlib import Path
from typing import Any

from mongoeco._types.documents import WriteCommandResult
from mongoeco.api._async._database_admin_write_commands import DatabaseAdminWriteCommandService
from mongoeco.api._async._write_command_validation import write_command_acknowledged
from mongoeco.core.identity import id_contains_numeric_value
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.errors import BulkWriteError
from mongoeco.wire.proxy import AsyncMongoEcoProxyServer

from infra.settings import private_dir, private_file

_ID_FIELDS = ["_id"]


class FastIdSQLiteEngine(SQLiteEngine):
    """SQLiteEngine that trusts the primary-key check for non-numeric ``_id`` values.

    It also delivers change events in memory (``change_delivery="none"``) instead of
    through the engine's durable change-stream outbox: medcredit never opens a change
    stream (events travel through the ``events`` collection and Redis), and the outbox
    costs every single write a lease, a heartbeat thread and two extra commits, which
    tripled the cost of an insert under load.
    """

    capabilities = dataclasses.replace(SQLiteEngine.capabilities, change_delivery="none")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set while validating a document whose _id the primary-key lookup has checked.
        self._pk_checked = threading.local()

    def _validate_document_against_unique_indexes(  # type: ignore[override]
        self,
        db_name: str,
        coll_name: str,
        document: dict[str, Any],
        *,
        exclude_storage_key: str | None = None,
        skip_id_check: bool = False,
        scan_payload_id: bool = False,
    ) -> None:
        trusted = "_id" in document and not skip_id_check and not id_contains_numeric_value(document["_id"])
        self._pk_checked.value = trusted
        try:
            super()._validate_document_against_unique_indexes(
                db_name,
                coll_name,
                document,
                exclude_storage_key=exclude_storage_key,
                skip_id_check=skip_id_check,
                scan_payload_id=scan_payload_id and not trusted,
            )
        finally:
            self._pk_checked.value = False

    def _unique_index_conflict_via_scalar_entries(  # type: ignore[override]
        self, conn: Any, collection_id: Any, index: Any, document: Any, **kwargs: Any
    ) -> bool | None:
        if list(index["fields"]) == _ID_FIELDS and getattr(self._pk_checked, "value", False):
            return False
        return super()._unique_index_conflict_via_scalar_entries(conn, collection_id, index, document, **kwargs)


_insert_one_by_one = DatabaseAdminWriteCommandService.command_insert


async def _insert_in_one_commit(
    self: DatabaseAdminWriteCommandService, spec: dict[str, object], *, session: Any = None
) -> object:
    """The wire ``insert`` command with one commit for all its documents.

    As shipped, the wire server inserts a command's documents one ``insert_one`` (one
    SQLite commit) at a time, although the collection API has a batch path that
    commits them together, ~5x faster. A burst of order decisions writes its orders,
    audit rows and events with ``insert_many``, so this is what the order gate's
    latency rests on. Documents after the first failure go through the original
    one-by-one path, which reports per-document errors exactly as before.
    """
    documents = spec.get("documents")
    admin = self._admin
    in_transaction = bool(getattr(session, "in_transaction", False))
    if (
        not isinstance(documents, list)
        or len(documents) < 2
        or in_transaction
        or spec.get("bypassDocumentValidation")
        or not write_command_acknowledged(spec, dialect=admin._mongodb_dialect.key)
    ):
        return await _insert_one_by_one(self, spec, session=session)
    collection = admin._database.get_collection(admin._require_collection_name(spec.get("insert"), "insert"))
    try:
        await collection.insert_many(admin._normalize_insert_documents(documents), ordered=True, session=session)
    except BulkWriteError as exc:
        done = int((getattr(exc, "details", None) or {}).get("nInserted", 0))
    else:
        return WriteCommandResult(count=len(documents))
    rest = await _insert_one_by_one(self, {**spec, "documents": documents[done:]}, session=session)
    if not isinstance(rest, WriteCommandResult):
        return rest
    errors = [dataclasses.replace(e, index=e.index + done) for e in rest.write_errors or []]
    return dataclasses.replace(rest, count=rest.count + done, write_errors=errors or None)


DatabaseAdminWriteCommandService.command_insert = _insert_in_one_commit  # type: ignore[method-assign]


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
