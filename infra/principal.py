"""Who is calling: the authenticated user every layer below the edge may read.

The token parsing that makes one lives in ``api.auth`` (the edge); the schema's
permission classes and the request context only read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from starlette.authentication import BaseUser

from common.roles import Role


@dataclass(frozen=True, slots=True)
class Principal(BaseUser):
    """An authenticated caller: who they are and which roles they hold."""

    subject: str
    roles: frozenset[Role]
    # When the token stops being valid; an open WebSocket is closed then.
    expires_at: datetime | None = None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.subject

    def has_any(self, roles: Iterable[Role]) -> bool:
        return bool(self.roles & set(roles))
