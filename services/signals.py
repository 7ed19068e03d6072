"""Outside risk signals: recorded by a credit manager or pulled from a credit-information provider.

An external rating replaces ``attributes.external_rating`` in the scorecard; lawsuits,
negative news, administrative penalties and other signals take points off that rating
while in force and raise a warning routed by the policy (``[responses.signals]``: a
CRITICAL one tells the executives and blocks). Every signal rescored the customer.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

import httpx
from bson import ObjectId

from common.errors import MedcreditError
from infra import ids
from infra.events import record_event
from infra.runtime import Runtime
from scoring.codes import Severity
from scoring.policy import Policy
from scoring.responses import RATING, Signal, external_rating, signal_warnings
from scoring.warnings import WarningSpec
from services.errors import MAX_NAME_CHARS, MAX_NOTE_CHARS, ErrorCode, InvalidInput, Problem, invalid
from services.requests import request_rescore
from store import audit as audit_store
from store import customers as customer_store
from store import dates
from store import signals as store

log = logging.getLogger("medcredit.signals")
KINDS = ("LAWSUIT", "NEGATIVE_NEWS", "ADMINISTRATIVE_PENALTY", "EXTERNAL_RATING", "OTHER")
_NAMES = {
    "LAWSUIT": "诉讼 Lawsuit",
    "NEGATIVE_NEWS": "负面新闻 Negative news",
    "ADMINISTRATIVE_PENALTY": "行政处罚 Administrative penalty",
    "OTHER_SIGNAL": "外部风险信号 Outside signal",
}


@dataclass(frozen=True, slots=True)
class SignalRequest:
    customer_id: ObjectId | None
    kind: str
    severity: Severity
    source: str
    occurred_on: date
    score: float | None = None
    note: str | None = None


def _problems(request: SignalRequest, today: date) -> list[Problem]:
    problems = []
    if request.kind not in KINDS:
        problems.append(Problem(f"Kind must be one of {', '.join(KINDS)}.", ErrorCode.INVALID, "kind"))
    if not request.source.strip():
        problems.append(Problem("Name the source (court, newspaper, agency).", ErrorCode.REQUIRED, "source"))
    if request.occurred_on > today:
        problems.append(Problem("The signal cannot come from the future.", ErrorCode.INVALID_DATE_RANGE, "occurredOn"))
    if request.kind == RATING and request.score is None:
        problems.append(Problem("An external rating needs its score (0-100).", ErrorCode.REQUIRED, "score"))
    if request.score is not None and (not math.isfinite(request.score) or not 0 <= request.score <= 100):
        problems.append(Problem("The score must be between 0 and 100.", ErrorCode.INVALID, "score"))
    if request.note is not None and len(request.note) > MAX_NOTE_CHARS:
        problems.append(Problem(f"The note is longer than {MAX_NOTE_CHARS} characters.", ErrorCode.TOO_LONG, "note"))
    if len(request.source) > MAX_NAME_CHARS:
        problems.append(
            Problem(f"The source is longer than {MAX_NAME_CHARS} characters.", ErrorCode.TOO_LONG, "source")
        )
    return problems


async def record_signal(
    rt: Runtime, request: SignalRequest, *, actor: str, today: date, key: str | None = None
) -> dict[str, Any] | None:
    """Store a signal, tell subscribers and rescore the customer.

    ``key`` makes a pulled rating idempotent: the same key again stores nothing and
    returns None.

    Raises:
        InvalidInput: an unknown customer or kind, no source, a future day, a rating
            without (or with an impossible) score.
    """
    problems = _problems(request, today)
    if problems:
        raise InvalidInput(*problems)
    customer = await customer_store.get_customer(rt.db, request.customer_id) if request.customer_id else None
    if customer is None:
        raise invalid("No customer with this id.", ErrorCode.NOT_FOUND, "customerId")
    document: dict[str, Any] = {
        "customer_id": customer["_id"],
        "kind": request.kind,
        "severity": request.severity.value,
        "source": request.source.strip(),
        "occurred_on": dates.to_bson(request.occurred_on),
        "score": request.score,
        "note": request.note,
        "recorded_by": actor,
        "recorded_at": datetime.now(UTC),
    }
    if key is not None:
        document["key"] = key
    stored = await store.insert_signal(rt.db, document)
    if stored is None:
        return None
    await rt.audit.write(
        audit_store.entry(
            customer["_id"],
            "RISK_SIGNAL_RECORDED",
            actor,
            {"kind": request.kind, "severity": request.severity.value, "source": document["source"]},
        )
    )
    await record_event(
        rt.db,
        rt.redis,
        "RISK_SIGNAL_RECORDED",
        request.severity,
        customer["_id"],
        {
            "signalId": ids.encode_id("RiskSignal", stored["_id"]),
            "kind": request.kind,
            "severity": request.severity.value,
            "source": document["source"],
            "occurredOn": request.occurred_on.isoformat(),
            "score": request.score,
        },
    )
    await request_rescore(rt, customer["_id"], f"risk signal: {request.kind}")
    return stored


def _signal(doc: dict[str, Any]) -> Signal:
    occurred = dates.from_bson(doc["occurred_on"])
    assert occurred is not None
    return Signal(doc["kind"], Severity(doc["severity"]), occurred, doc.get("score"))


def scoring_inputs(
    policy_all: Policy, signal_documents: Sequence[dict[str, Any]], today: date, fallback_rating: float | None
) -> tuple[float | None, list[WarningSpec]]:
    """What the customer's stored signals mean for rescoring: the external rating and the
    warnings to keep up.

    Without any signal the customer's ``attributes.external_rating`` (``fallback_rating``)
    stands, so deployments that typed ratings by hand keep their scores.
    """
    signals = [_signal(d) for d in signal_documents]
    policy = policy_all.responses
    if not signals:
        return fallback_rating, []
    rating = external_rating(signals, today, policy)
    if rating is None:
        rating = fallback_rating
    specs = [
        WarningSpec(
            kind,
            level,
            f"{_NAMES.get(kind, kind)}: {count} signal(s) in the last {policy.signal_active_days} days; "
            f"the most serious is {level.value}.",
            rule.notify,
            rule.blocks,
        )
        for kind, level, rule, count in signal_warnings(signals, today, policy)
    ]
    return rating, specs


# --- pulling ratings from a credit-information provider --------------------------------


@dataclass(frozen=True, slots=True)
class Rating:
    """One rating a provider reports for a company (by its unified social credit code)."""

    uscc: str
    score: float
    rated_on: date
    source: str


class RatingsProvider(Protocol):
    """Anything that can report the current rating of a company, or None if it has none."""

    async def rating(self, uscc: str) -> Rating | None:
        """The company's current rating, or None when the provider has none.

        Raises:
            ProviderError: the provider did not answer usefully.
        """


class ProviderError(MedcreditError):
    """The provider did not answer usefully (down, refused, malformed)."""


class HttpRatingsProvider:
    """``GET <url>?uscc=…`` with ``Authorization: Bearer <key>``, answering
    ``{"uscc", "score" (0-100), "ratedOn" (ISO day), "source"}``; 404 means no rating."""

    def __init__(self, url: str, key: str | None, *, timeout: float = 10.0) -> None:
        self.url = url
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.AsyncClient(timeout=timeout, headers=headers)

    async def rating(self, uscc: str) -> Rating | None:
        """The company's rating from the provider; None when it answers 404.

        Raises:
            ProviderError: a network error, an answer other than 200 or 404, or a malformed body.
        """
        try:
            response = await self.client.get(self.url, params={"uscc": uscc})
        except httpx.HTTPError as exc:
            raise ProviderError(f"{type(exc).__name__}: {exc}") from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ProviderError(f"HTTP {response.status_code}")
        try:
            body = response.json()
            return Rating(
                uscc=str(body["uscc"]),
                score=float(body["score"]),
                rated_on=date.fromisoformat(body["ratedOn"]),
                source=str(body.get("source") or "provider"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderError(f"malformed answer: {exc}") from None

    async def aclose(self) -> None:
        """Close the HTTP client and its connections."""
        await self.client.aclose()


@dataclass(frozen=True, slots=True)
class PullResult:
    asked: int
    recorded: int
    unchanged: int
    failed: int


async def pull_ratings(rt: Runtime, provider: RatingsProvider, *, today: date, concurrency: int = 4) -> PullResult:
    """Ask the provider about every customer with a credit code; store new ratings as signals.

    A rating already stored (same provider, company and day) is skipped, so pulling
    twice a day costs requests but changes nothing. Failures are counted and logged; the
    next scheduled pull asks again.
    """
    customers = await customer_store.credit_codes(rt.db)
    limit = asyncio.Semaphore(concurrency)
    counts = {"recorded": 0, "unchanged": 0, "failed": 0}

    async def one(customer: dict[str, Any]) -> None:
        async with limit:
            try:
                found = await provider.rating(customer["uscc"])
            except ProviderError as exc:
                log.warning("rating for %s not pulled: %s", customer["uscc"], exc)
                counts["failed"] += 1
                return
        if found is None:
            counts["unchanged"] += 1
            return
        request = SignalRequest(customer["_id"], RATING, Severity.INFO, found.source, found.rated_on, found.score)
        try:
            stored = await record_signal(
                rt,
                request,
                actor="system:ratings",
                today=today,
                key=f"{found.source}:{found.uscc}:{found.rated_on.isoformat()}",
            )
        except InvalidInput as exc:
            log.warning("rating for %s refused: %s", customer["uscc"], exc)
            counts["failed"] += 1
            return
        counts["recorded" if stored is not None else "unchanged"] += 1

    await asyncio.gather(*(one(c) for c in customers))
    return PullResult(asked=len(customers), **counts)


async def pull_configured_ratings(rt: Runtime, *, today: date) -> PullResult | None:
    """The scheduled pull from the provider in the settings (None when none is configured)."""
    if not rt.settings.ratings_url:
        return None
    provider = HttpRatingsProvider(rt.settings.ratings_url, rt.settings.ratings_key)
    try:
        result = await pull_ratings(rt, provider, today=today)
    finally:
        await provider.aclose()
    log.info("ratings pulled: %s", result)
    return result
