"""Automatic persisted queries, in Apollo's protocol, with a bounded store.

A client first sends only ``extensions.persistedQuery.sha256Hash``; an unknown hash
answers ``PersistedQueryNotFound`` (``extensions.code`` ``PERSISTED_QUERY_NOT_FOUND``),
and the client retries with the hash and the query, which registers it. Later requests
(POST, or GET so CDNs can cache them) carry the hash alone.

The store is an LRU per API process holding at most ``capacity`` queries of at most
``max_query_bytes`` each: a forgotten query costs the client one retry, never an error.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

NOT_FOUND = "PersistedQueryNotFound"


@dataclass(frozen=True, slots=True)
class PersistedQueryProblem:
    """Why a persisted-query request cannot run: the message and ``extensions.code`` to answer with."""

    message: str
    code: str
    http_status: int = 200


class PersistedQueries:
    """Queries by their SHA-256, least recently used dropped first."""

    def __init__(self, capacity: int, max_query_bytes: int = 100_000) -> None:
        self.capacity = capacity
        self.max_query_bytes = max_query_bytes
        self._queries: OrderedDict[str, str] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._queries)

    def get(self, digest: str) -> str | None:
        with self._lock:
            query = self._queries.get(digest)
            if query is not None:
                self._queries.move_to_end(digest)
            return query

    def put(self, digest: str, query: str) -> None:
        if self.capacity <= 0 or len(query.encode()) > self.max_query_bytes:
            return
        with self._lock:
            self._queries[digest] = query
            self._queries.move_to_end(digest)
            while len(self._queries) > self.capacity:
                self._queries.popitem(last=False)

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | PersistedQueryProblem | None:
        """The query to run for a request, a problem to answer with, or ``query`` unchanged.

        Returns:
            ``query`` itself when the request does not use persisted queries; the stored
            or newly registered query when it does; a ``PersistedQueryProblem`` otherwise.
        """
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            return query
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            return PersistedQueryProblem(
                "Only persisted query version 1 is supported.", "PERSISTED_QUERY_NOT_SUPPORTED", 400
            )
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or len(digest) != 64:
            return PersistedQueryProblem("persistedQuery.sha256Hash must be a hex SHA-256.", "BAD_USER_INPUT", 400)
        digest = digest.lower()
        if query is None:
            stored = self.get(digest)
            return stored if stored is not None else PersistedQueryProblem(NOT_FOUND, "PERSISTED_QUERY_NOT_FOUND")
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            return PersistedQueryProblem("provided sha does not match query", "BAD_USER_INPUT", 400)
        self.put(digest, query)
        return query
