"""mongoeco's wire server, corrected for medcredit's load (``infra.embedded_db`` runs it).

Two corrections of mongoeco 4.11's wire layer (pinned exactly: this leans on its
internals), each held by ``tests/integration/test_embedded_db.py``:

- the wire ``insert`` command committed its documents one at a time;
- every reply was encoded through a chain of ~25 isinstance tests per value.

They are module-level replacements, installed on import; ``infra.embedded_engine``
imports this module so that whoever runs the engine gets them.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import mongoeco.wire.protocol as _wire_protocol
from bson import Decimal128 as BsonDecimal128
from bson import ObjectId as BsonObjectId
from mongoeco._types.documents import WriteCommandResult
from mongoeco.api._async._database_admin_write_commands import DatabaseAdminWriteCommandService
from mongoeco.api._async._write_command_validation import write_command_acknowledged
from mongoeco.errors import BulkWriteError

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


# Values the wire encoder returns as they are (or as an equal value of the same BSON
# type): for these exact types its chain of ~25 isinstance tests decides nothing.
_WIRE_AS_IS = frozenset({str, int, float, bool, type(None), datetime, BsonObjectId, BsonDecimal128})


def _encode_wire_value(value: Any) -> Any:
    """mongoeco's ``encode_wire_value``, with the common types decided by one set lookup.

    Every document of every reply goes through it, field by field: as shipped it cost
    ~85 µs per invoice (a fifth of serving a page of them). Containers recurse here;
    any other type goes to mongoeco's own function, so the bytes sent are unchanged.
    """
    kind = type(value)
    if kind in _WIRE_AS_IS:
        return value
    if kind is dict:
        return {key: _encode_wire_value(item) for key, item in value.items()}
    if kind is list:
        return [_encode_wire_value(item) for item in value]
    return _shipped_encode_wire_value(value)


_shipped_encode_wire_value = _wire_protocol.encode_wire_value
_wire_protocol.encode_wire_value = _encode_wire_value  # type: ignore[attr-defined]
