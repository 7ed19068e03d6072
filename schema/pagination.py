"""Cursor helpers for Relay-style connections."""

from __future__ import annotations

import base64

import strawberry
from bson import ObjectId
from bson.errors import InvalidId


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def cursor_for(oid: ObjectId) -> str:
    return base64.urlsafe_b64encode(f"c:{oid}".encode()).decode()


def oid_from_cursor(cursor: str) -> ObjectId | None:
    """Return the id a cursor points after, or None when the cursor is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        prefix, _, raw = text.partition(":")
        return ObjectId(raw) if prefix == "c" else None
    except (ValueError, InvalidId, UnicodeDecodeError):
        return None
