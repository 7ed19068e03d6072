"""``UserError``: how a mutation reports the caller's mistakes as data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from schema.enums import ErrorCode
from services.errors import InvalidInput, Problem


@strawberry.type
class UserError:
    field: str | None
    message: str
    code: ErrorCode | None = None


def user_error(problem: Problem) -> UserError:
    """The GraphQL face of one problem; its domain code becomes the union's value of that name."""
    return UserError(field=problem.field, message=problem.message, code=ErrorCode[problem.code.name])


def user_errors(exc: InvalidInput) -> list[UserError]:
    """One ``UserError`` per problem of ``exc``, in order."""
    return [user_error(p) for p in exc.problems]


async def run_mutation[T](action: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    """Run a service call; its ``InvalidInput`` becomes ``UserError``s, anything else propagates.

    Only the user's mistakes become data: a system failure must stay a top-level error.
    """
    try:
        return await action(), []
    except InvalidInput as exc:
        return None, user_errors(exc)
