"""A schema-extension runner that works out once which extensions take part in a streamed result.

strawberry's runner asks every extension, for every result a subscription streams,
whether it has an ``on_stream_result`` hook and what ``get_results`` it adds. With
seven extensions and a thousand screens, that bookkeeping for each live event cost
about a fifth of the API's CPU per delivery, although one extension (error masking)
has such a hook and none adds results. This runner asks once per operation; the
hooks that run, and their order, are the same.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import StreamResultContextManager
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.utils.await_maybe import await_maybe

if TYPE_CHECKING:
    from strawberry.types import ExecutionContext, StreamExecutionResult


class _NoHooks(contextlib.AbstractContextManager[None], contextlib.AbstractAsyncContextManager[None]):
    """What ``on_stream_result`` gives when no extension has the hook: nothing to enter."""

    def __exit__(self, *_: object) -> None:
        return None

    async def __aexit__(self, *_: object) -> None:
        return None


_NO_HOOKS = _NoHooks()


class StreamingExtensionsRunner(SchemaExtensionsRunner):
    def __init__(self, execution_context: ExecutionContext, extensions: list[SchemaExtension] | None = None) -> None:
        super().__init__(execution_context, extensions)
        self._with_stream_hook = [
            e for e in self.extensions if type(e).on_stream_result is not SchemaExtension.on_stream_result
        ]
        self._with_results = [e for e in self.extensions if type(e).get_results is not SchemaExtension.get_results]

    def on_stream_result(self, result: StreamExecutionResult) -> Any:
        if not self._with_stream_hook:
            return _NO_HOOKS
        return StreamResultContextManager(self._with_stream_hook, result)

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for extension in self._with_results:
            data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data
