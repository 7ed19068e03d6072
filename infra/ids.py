"""Public ids: a type prefix and the MongoDB ObjectId, e.g. ``cus_65f1c0…``.

The prefix lets ``node(id:)`` find the right collection and makes a customer id
pasted where an order id belongs fail clearly instead of matching nothing.
"""

from __future__ import annotations

from bson import ObjectId
from bson.errors import InvalidId

PREFIXES = {
    "Customer": "cus",
    "QualificationDocument": "doc",
    "Certificate": "crt",
    "Warning": "wrn",
    "Order": "ord",
    "Shipment": "shp",
    "CustomerGroup": "grp",
    "LimitRequest": "lrq",
    "Webhook": "whk",
    "CollectionTask": "ctk",
    "RiskSignal": "sig",
}
_TYPES = {prefix: type_name for type_name, prefix in PREFIXES.items()}


def encode_id(type_name: str, oid: ObjectId) -> str:
    return f"{PREFIXES[type_name]}_{oid}"


def decode_id(public_id: str, type_name: str | None = None) -> tuple[str, ObjectId] | None:
    """Return ``(type name, ObjectId)`` for a well-formed id, or None.

    With ``type_name`` given, an id of another type is treated as malformed.
    """
    prefix, sep, raw = public_id.partition("_")
    found = _TYPES.get(prefix)
    if not sep or found is None or (type_name is not None and found != type_name):
        return None
    try:
        return found, ObjectId(raw)
    except (InvalidId, TypeError):
        return None


def decode_oid(public_id: str, type_name: str) -> ObjectId | None:
    decoded = decode_id(public_id, type_name)
    return decoded[1] if decoded else None
