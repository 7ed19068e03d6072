"""Opening the database: Motor with the codecs that keep money Decimal and times UTC."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from decimal import Decimal
from typing import Any

from bson.codec_options import CodecOptions, TypeCodec, TypeRegistry
from bson.decimal128 import Decimal128
from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorDatabase
from pymongo import monitoring


class DecimalCodec(TypeCodec):
    """Store ``Decimal`` as BSON Decimal128 and read it back as ``Decimal``."""

    python_type = Decimal
    bson_type = Decimal128

    def transform_python(self, value: Decimal) -> Decimal128:
        """A ``Decimal`` as BSON Decimal128: exact, never through a float."""
        return Decimal128(value)

    def transform_bson(self, value: Decimal128) -> Decimal:
        """A stored Decimal128 back as ``Decimal``."""
        return value.to_decimal()


CODEC_OPTIONS: CodecOptions[dict[str, Any]] = CodecOptions(
    tz_aware=True, tzinfo=UTC, type_registry=TypeRegistry([DecimalCodec()])
)

Database = AsyncIOMotorDatabase


def open_database(
    url: str, name: str, *, event_listeners: Sequence[monitoring.CommandListener] = ()
) -> tuple[AsyncIOMotorClient, Database]:
    """Return a client and the named database; the caller owns ``client.close()``.

    ``event_listeners`` see every command the client sends (tests count round trips).
    """
    client: AsyncIOMotorClient = AsyncIOMotorClient(
        url,
        tz_aware=True,
        tzinfo=UTC,
        serverSelectionTimeoutMS=5000,
        uuidRepresentation="standard",
        event_listeners=list(event_listeners),
    )
    return client, client.get_database(name, codec_options=CODEC_OPTIONS)
