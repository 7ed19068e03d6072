"""Streamed results keep their hooks with the once-per-operation runner (schema/extension_runner.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator

import strawberry
from strawberry.extensions import SchemaExtension

from schema.reporting import MaskInternalErrors, MedcreditSchema


class CountsResults(SchemaExtension):
    seen = 0

    def on_stream_result(self, result: object) -> Iterator[None]:
        CountsResults.seen += 1
        yield

    def get_results(self) -> dict[str, int]:
        return {"counted": CountsResults.seen}


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(self, fail_at: int) -> AsyncGenerator[int]:
        for n in range(3):
            if n == fail_at:
                raise RuntimeError("database password is hunter2")
            yield n


def _results(query: str) -> list[object]:
    schema = MedcreditSchema(query=Query, subscription=Subscription, extensions=[MaskInternalErrors, CountsResults])

    async def collect() -> list[object]:
        stream = await schema.subscribe(query)
        return [result async for result in stream]  # type: ignore[union-attr]

    return asyncio.run(collect())


def test_every_streamed_result_passes_each_hook_and_carries_extension_results() -> None:
    CountsResults.seen = 0
    results = _results("subscription { ticks(failAt: 9) }")
    assert [r.data for r in results] == [{"ticks": 0}, {"ticks": 1}, {"ticks": 2}]  # type: ignore[attr-defined]
    assert CountsResults.seen == 3
    assert [r.extensions for r in results] == [{"counted": 0}, {"counted": 1}, {"counted": 2}]  # type: ignore[attr-defined]


def test_an_internal_failure_in_a_stream_is_still_masked() -> None:
    results = _results("subscription { ticks(failAt: 1) }")
    failed = results[-1]
    assert [e.message for e in failed.errors] == ["Internal error."]  # type: ignore[attr-defined]
    assert failed.errors[0].extensions["code"] == "INTERNAL_SERVER_ERROR"  # type: ignore[attr-defined]
