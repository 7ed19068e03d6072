"""A person's feed in GraphQL: ``myWarnings``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from schema.permissions import IsAuthenticated
from schema.risk import Warning, warning_from
from services import feed as service


@strawberry.type
class FeedQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Warnings that notify your roles: unacknowledged first, then most severe, then newest. "
        "`first` at most 500.",
    )
    async def my_warnings(self, info: Info, active_only: bool = True, first: int = 100) -> list[Warning]:
        user = info.context.user
        docs = await service.my_warnings(
            info.context.runtime, user.roles if user else (), active_only=active_only, limit=first
        )
        return [warning_from(d) for d in docs]
