"""``UserError``: how a mutation reports the caller's mistakes as data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from schema.enums import ErrorCode
from services.errors import InvalidInput


@strawberry.type
class UserError:
    field: str | None
    message: str
    code: ErrorCode | None = None


def user_errors(exc: InvalidInput) -> list[UserError]:
    return [UserError(field=p.field, message=p.message, code=p.code) for p in exc.problems]


async def run_mutation[T](action: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    """Run a service call; its ``InvalidInput`` becomes ``UserError``s, anything else propagates.

    Only the user's mistakes become data: a system failure must stay a top-level error.
    """
    try:
        return await action(), []
    except InvalidInput as exc:
        return None, user_errors(exc)
