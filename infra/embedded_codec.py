"""mongoeco's document copies and storage encoding, made cheap (``infra.embedded_engine`` installs them).

Two corrections of mongoeco 4.11 (pinned: they lean on its internals), each held by
``tests/integration/test_embedded_db.py``.

**Copies.** As shipped (mongoeco 4.11, pinned), the engine protects itself with ``copy.deepcopy``
everywhere: an update copied the stored customer five times (a working copy, then
before and after for its result, then both again in the result's ``__post_init__``),
and every write copied the collection's cached index list. ``deepcopy`` rebuilds
every leaf too, and mongoeco's ``Decimal128`` and ``ObjectId`` through
``__reduce_ex__``: in the rescoring sweep the copies were a fifth of the database's
CPU. Documents are trees of dicts and lists whose leaves (strings, numbers, dates,
ids, decimals) are immutable, so a copy only needs new containers. ``copy_document``
makes exactly that, and hands anything it does not know to ``deepcopy``: the result is
as independent of the original as before.

**Encoding.** ``DocumentCodec.encode`` turns a document into its stored JSON form. For
each dict it first validated the dict's whole subtree, then encoded each child, which
validated its own subtree again: every leaf was checked once per level above it, and
every number wrapped in a new object to be checked. ``encode_document`` checks each
leaf once, as the original would (keys are strings, integers fit in 64 bits, decimals
fit Decimal128), returns the same values and tags, and hands every type it does not
decide itself to the original.
"""

from __future__ import annotations

import copy
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import bson
import mongoeco.api._async._collection_insert as _collection_insert
import mongoeco.api._async._collection_runtime as _collection_runtime
import mongoeco.core.codec as _codec
import mongoeco.engines._sqlite_modify_ops as _sqlite_modify_ops
import mongoeco.engines.results as _results
import mongoeco.engines.sqlite as _sqlite_engine
from mongoeco._types import _bson_objectid, _bson_values
from mongoeco.core.bson_scalars import INT64_MAX, INT64_MIN, BsonScalarOverflowError, normalize_utc_bson_datetime
from mongoeco.core.bson_scalars import _normalize_decimal128 as _decimal128_checked

# Types whose values never change once made: a copy may share them.
_IMMUTABLE = frozenset(
    {
        str,
        int,
        float,
        bool,
        type(None),
        bytes,
        datetime,
        date,
        time,
        timedelta,
        Decimal,
        uuid.UUID,
        bson.ObjectId,
        bson.Decimal128,
        bson.Int64,
        _bson_objectid.ObjectId,
        _bson_values.Decimal128,
        _bson_values.Timestamp,
        _bson_values.Regex,
    }
)


def copy_document(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """A deep copy of ``value``: new dicts and lists, immutable leaves shared, the rest ``deepcopy``'d."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is dict:
        return {key: copy_document(item) for key, item in value.items()}
    if kind is list:
        return [copy_document(item) for item in value]
    if kind is tuple:
        return tuple(copy_document(item) for item in value)
    return copy.deepcopy(value, memo)


for _module in (_sqlite_modify_ops, _results, _sqlite_engine, _collection_insert, _collection_runtime):
    _module.deepcopy = copy_document  # type: ignore[attr-defined]


# --- storage encoding ------------------------------------------------------------------

_DocumentCodec = _codec.DocumentCodec
_shipped_encode = _DocumentCodec.encode
_AS_IS = frozenset({str, float, bool, type(None)})
_OBJECT_IDS = frozenset({bson.ObjectId, _bson_objectid.ObjectId})


def encode_document(data: Any) -> Any:
    """``DocumentCodec.encode`` with each value checked once; same output, same errors."""
    kind = type(data)
    if kind in _AS_IS:
        return data
    if kind is dict:
        for key in data:
            if type(key) is not str:
                raise TypeError("BSON document keys must be strings")
        encoded = {key: encode_document(value) for key, value in data.items()}
        if _DocumentCodec._is_tagged_value(encoded):
            return _DocumentCodec._tagged_value("dict", encoded)
        return encoded
    if kind is list or kind is tuple:
        return [encode_document(value) for value in data]
    if kind is int:
        if data < INT64_MIN or data > INT64_MAX:
            raise BsonScalarOverflowError("integer exceeds BSON int64 range")
        return data
    if kind is datetime:
        return _DocumentCodec._tagged_value("datetime", normalize_utc_bson_datetime(data).isoformat())
    if kind is Decimal:
        _decimal128_checked(data)
        return _DocumentCodec._tagged_value("decimal", str(data))
    if kind in _OBJECT_IDS:
        return _DocumentCodec._tagged_value("objectid", str(_bson_objectid.normalize_object_id(data)))
    return _shipped_encode(data)


_DocumentCodec.encode = staticmethod(encode_document)  # type: ignore[method-assign,assignment]
