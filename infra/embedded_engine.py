"""mongoeco's SQLite engine, corrected for medcredit's load; the wire server runs it (``infra.embedded_db``).

As shipped (mongoeco 4.11, pinned exactly in pyproject.toml because this leans on its
internals), the engine did far more work per operation than the data needed. Each
correction below is explained beside its code and held by
``tests/integration/test_embedded_db.py``, so an upgrade that changes the internals
fails loudly:

- an insert re-read the collection to check a non-numeric ``_id``, which the primary
  key already decides;
- every index added an identical SQLite index on the shared entry tables, so one entry
  was written into ~50 B-trees: now all share one;
- a find, update or delete by ``_id`` or by an indexed field scanned the collection:
  the plan now starts from the index (and leaves out the term the index answers), and
  a sort no longer walks the sort field's index over the whole collection;
- every document read asked ``inspect.signature`` of the codec again;
- every write dropped the uniqueness check's cached facts about arrays in unique
  fields, so the next insert or update scanned the collection once per unique index;
- a probe for decimals in the queried fields scanned the collection after every
  write, also for queries that compare with no number;
- the change outbox was written although nothing here reads it.

The wire server's own corrections (one commit per insert command, the reply encoder)
are in ``infra.embedded_wire``, imported below so that they come with the engine.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import mongoeco.engines.sqlite as _sqlite_engine_module
from bson import ObjectId
from mongoeco._types._bson_objectid import ObjectId as MongoecoObjectId
from mongoeco._types._bson_values import Decimal128 as MongoecoDecimal128
from mongoeco.core.codec import DocumentCodec
from mongoeco.core.identity import id_contains_numeric_value
from mongoeco.core.query_plan import (
    AndCondition,
    EqualsCondition,
    ExistsCondition,
    InCondition,
    MatchAll,
    NotCondition,
    NotEqualsCondition,
    NotInCondition,
    OrCondition,
)
from mongoeco.engines.sqlite import SQLiteEngine

import infra.embedded_codec  # noqa: F401 - cheap document copies and encoding, installed with the engine
import infra.embedded_wire  # noqa: F401 - installs the wire server's corrections with the engine

_ID_FIELDS = ["_id"]
SHARED_SCALAR_INDEX = "scidx_medcredit_shared"
SHARED_MULTIKEY_INDEX = "mkidx_medcredit_shared"
# Value types whose index entry is exact (one signature, compared as text): ids and strings.
_NARROWING_TYPES = frozenset({"objectid", "string"})
_ENTRY_COLUMNS = "(collection_id, index_name, type_score, element_key, storage_key)"
# Values that are neither arrays nor DBRefs nor hold any (``_path_may_hold_array_or_ref``).
_PLAIN_LEAVES = frozenset({str, int, float, bool, datetime, Decimal, ObjectId, MongoecoObjectId, MongoecoDecimal128})


def _context_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The session argument of an engine method: its ``context`` keyword, or its last positional."""
    if "context" in kwargs:
        return kwargs["context"]
    return args[-1] if args and not isinstance(args[-1], (str, list, tuple, dict)) else None


def _operands_are_not_numbers(plan: Any) -> bool:
    """Whether ``plan`` only tests equality (or presence) with ids, strings, dates, booleans or null.

    Range tests are left to the engine even for such values: its SQL for ``$gt: "a"``
    does not bracket by type, and matched decimals until the probe sent it to Python.
    """
    if isinstance(plan, (MatchAll, ExistsCondition)):
        return True
    if isinstance(plan, (AndCondition, OrCondition)):
        return all(_operands_are_not_numbers(clause) for clause in plan.clauses)
    if isinstance(plan, NotCondition):
        return _operands_are_not_numbers(plan.clause)
    if isinstance(plan, (InCondition, NotInCondition)):
        return all(_not_a_number(value) for value in plan.values)
    if isinstance(plan, (EqualsCondition, NotEqualsCondition)):
        return _not_a_number(plan.value)
    return False  # anything else ($expr, $elemMatch, $mod…): ask the engine


def _not_a_number(value: Any) -> bool:
    return value is None or isinstance(value, (str, bool, datetime)) or type(value).__name__ == "ObjectId"


def _narrowed(
    sql: str, params: tuple[Any, ...], db_name: str, coll_name: str, narrowing: tuple[str, list[Any]] | None
) -> tuple[str, tuple[Any, ...]]:
    """``sql`` with the index narrowing added right after its namespace test; unchanged if it has none."""
    head = "WHERE db_name = ? AND coll_name = ?"
    if narrowing is None or sql.count(head) != 1 or tuple(params[:2]) != (db_name, coll_name):
        return sql, params
    clause, extra = narrowing
    return sql.replace(head, f"{head} AND {clause}", 1), (*params[:2], *extra, *params[2:])


def _without(query: Any, term: Any) -> Any:
    """``query`` with ``term`` (itself, or one clause of its ``$and``) left out."""
    if query is term:
        return MatchAll()
    rest = tuple(clause for clause in query.clauses if clause is not term)
    if not rest:
        return MatchAll()
    return rest[0] if len(rest) == 1 else AndCondition(clauses=rest)


def _create_shared_entry_indexes(conn: Any) -> None:
    conn.execute(f"CREATE INDEX IF NOT EXISTS {SHARED_SCALAR_INDEX} ON scalar_index_entries {_ENTRY_COLUMNS}")
    conn.execute(f"CREATE INDEX IF NOT EXISTS {SHARED_MULTIKEY_INDEX} ON multikey_entries {_ENTRY_COLUMNS}")


def _keeping_shared_indexes(name: str) -> Callable[..., None]:
    """The engine's drop method ``name``, followed by restoring the shared entry B-trees it may drop."""

    def drop(self: FastIdSQLiteEngine, *args: Any, **kwargs: Any) -> None:
        try:
            getattr(super(FastIdSQLiteEngine, self), name)(*args, **kwargs)
        finally:
            self._restore_shared_entry_indexes(_context_of(args, kwargs))

    drop.__name__ = name
    return drop


class FastIdSQLiteEngine(SQLiteEngine):
    """SQLiteEngine that trusts the primary-key check for non-numeric ``_id`` values.

    It also delivers change events in memory (``change_delivery="none"``) instead of
    through the engine's durable change-stream outbox: medcredit never opens a change
    stream (events travel through the ``events`` collection and Redis), and the outbox
    costs every single write a lease, a heartbeat thread and two extra commits, which
    tripled the cost of an insert under load.
    """

    capabilities = dataclasses.replace(SQLiteEngine.capabilities, change_delivery="none")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set while validating a document whose _id the primary-key lookup has checked.
        self._pk_checked = threading.local()
        # The index narrowing of the plan being compiled (see _compile_read_execution_plan).
        self._pending_narrowing = threading.local()

    # --- one physical B-tree for all index entries -------------------------------------
    # As shipped, every single-field index gets its own SQLite index on the shared
    # ``scalar_index_entries`` table (and every multikey one on ``multikey_entries``),
    # each over the same columns, led by (collection_id, index_name). With the ~50
    # indexes medcredit declares, one entry row was written into ~50 identical
    # B-trees, and that was most of the cost of any insert (measured: 200 orders, the
    # database's CPU). One shared B-tree per table answers every lookup the separate
    # ones did, because each lookup is bounded by its collection_id and index_name.

    def _create_index_sync(self, db_name: str, coll_name: str, *args: Any, **kwargs: Any) -> str:
        name: str = super()._create_index_sync(db_name, coll_name, *args, **kwargs)
        self._share_entry_indexes(_context_of(args, kwargs), db_name, coll_name)
        return name

    def _share_entry_indexes(self, context: Any, db_name: str, coll_name: str) -> None:
        with self._lock:
            conn = self._require_connection(context)
            _create_shared_entry_indexes(conn)
            rows = conn.execute(
                "SELECT scalar_physical_name, multikey_physical_name FROM indexes WHERE db_name = ? AND coll_name = ?",
                (db_name, coll_name),
            ).fetchall()
            for scalar, multikey in rows:
                for own in (scalar, multikey):
                    if own and own not in (SHARED_SCALAR_INDEX, SHARED_MULTIKEY_INDEX):
                        conn.execute(f"DROP INDEX IF EXISTS {self._quote_identifier(own)}")
            conn.execute(
                "UPDATE indexes SET"
                " scalar_physical_name = CASE WHEN scalar_physical_name IS NULL THEN NULL ELSE ? END,"
                " multikey_physical_name = CASE WHEN multikey_physical_name IS NULL THEN NULL ELSE ? END"
                " WHERE db_name = ? AND coll_name = ?",
                (SHARED_SCALAR_INDEX, SHARED_MULTIKEY_INDEX, db_name, coll_name),
            )
            if not getattr(context, "in_transaction", False):
                conn.commit()
            self._mark_index_metadata_changed(db_name, coll_name)

    def _restore_shared_entry_indexes(self, context: Any) -> None:
        # Dropping any one index (or collection, or database) drops its physical names,
        # which are now the shared ones; the others still need them.
        with self._lock:
            conn = self._require_connection(context)
            _create_shared_entry_indexes(conn)
            if not getattr(context, "in_transaction", False):
                conn.commit()

    _drop_index_sync = _keeping_shared_indexes("_drop_index_sync")
    _drop_indexes_sync = _keeping_shared_indexes("_drop_indexes_sync")
    _drop_collection_sync = _keeping_shared_indexes("_drop_collection_sync")
    _drop_database_sync = _keeping_shared_indexes("_drop_database_sync")

    # --- equality lookups through the index ---------------------------------------------
    # As shipped, a find runs the general planner, whose SQL for ``{"customer_id": X}``
    # is a json_extract test on every document of the collection OR'd with an index
    # probe: a full scan (18 ms for 20 invoices among 6,000, growing with the
    # collection). mongoeco's own index-driven equality plan is only used by explain.
    # Here the general plan keeps its whole WHERE clause (so the result cannot change)
    # and gains one more conjunct: the document's key is among the keys the index
    # lists for that value, as a scalar or as an array element. SQLite then starts
    # from the index instead of the collection.

    #
    # The narrowed term itself is then left out of the WHERE clause: its SQL is a chain
    # of json_extract tests and index probes, one per value, evaluated on every row, so
    # a page's ``customer_id $in [100 ids]`` cost ~300 µs a row (316 ms for the open
    # invoices of 100 customers). The index entries answer it exactly: mongoeco's own
    # SQL for the term ORs the same entry probe, so an entry means a match, and the
    # narrowing above already relies on every match having its entry.

    def _compile_read_execution_plan(  # type: ignore[override]
        self, db_name: str, coll_name: str, semantics: Any, *, select_clause: str = "document", hint: Any = None
    ) -> Any:
        found = self._narrowing_term(db_name, coll_name, semantics.query_plan)
        if found is not None and semantics.collation is None and semantics.hint is None and hint is None:
            term, narrowing = found
            residual = dataclasses.replace(
                semantics, query_plan=_without(semantics.query_plan, term), compiled_query=None
            )
            # The sort helpers compiling this plan see the residual query; they must
            # still start from the same index.
            self._pending_narrowing.value = narrowing
            try:
                plan = super()._compile_read_execution_plan(
                    db_name, coll_name, residual, select_clause=select_clause, hint=hint
                )
            finally:
                self._pending_narrowing.value = None
            if plan.use_sql and plan.sql:
                sql, params = _narrowed(plan.sql, tuple(plan.params), db_name, coll_name, narrowing)
                if sql is not plan.sql:
                    return dataclasses.replace(plan, sql=sql, params=params)
        # No exact index term (or a plan it cannot join): the whole query, narrowed if it can be.
        plan = super()._compile_read_execution_plan(
            db_name, coll_name, semantics, select_clause=select_clause, hint=hint
        )
        return self._narrowed_by_index(db_name, coll_name, semantics, plan)

    def _narrowed_by_index(self, db_name: str, coll_name: str, semantics: Any, plan: Any) -> Any:
        if not plan.use_sql or not plan.sql or semantics.collation is not None or semantics.hint is not None:
            return plan
        narrowing = self._index_narrowing(db_name, coll_name, semantics.query_plan)
        sql, params = _narrowed(plan.sql, tuple(plan.params), db_name, coll_name, narrowing)
        return plan if sql is plan.sql else dataclasses.replace(plan, sql=sql, params=params)

    def _build_scalar_sort_select_sql(self, db_name: str, coll_name: str, plan: Any, **options: Any) -> Any:
        # Sorting by an indexed field walks that field's index over the whole collection
        # and tests each document; when the filter itself can start from an index, its
        # few matches are sorted instead (the generic plan, narrowed above).
        narrowed = self._index_narrowing(db_name, coll_name, plan) is not None
        m = _sqlite_engine_module
        return m._sqlite_build_scalar_sort_select_sql(  # type: ignore[attr-defined]
            db_name=db_name,
            coll_name=coll_name,
            plan=plan,
            **options,
            field_traverses_array_in_collection=self._field_traverses_array_in_collection,
            field_contains_tagged_bytes_in_collection=self._field_contains_tagged_bytes_in_collection,
            field_contains_tagged_undefined_in_collection=self._field_contains_tagged_undefined_in_collection,
            field_has_uniform_scalar_sort_type_in_collection=self._field_has_uniform_scalar_sort_type_in_collection,
            translate_query_plan_with_multikey=self._translate_query_plan_with_multikey,
            find_scalar_sort_index=(lambda *_: None) if narrowed else self._find_scalar_sort_index,
            lookup_collection_id=lambda db, coll: self._lookup_collection_id(self._require_connection(), db, coll),
            quote_identifier=self._quote_identifier,
            value_expression_sql=m.value_expression_sql,  # type: ignore[attr-defined]
        )

    def _sort_requires_python(self, db_name: str, coll_name: str, plan: Any, sort: Any) -> bool:
        # The same check as shipped (does any matching document hold an array or a tagged
        # number in a sort field?), but its probe of the matching documents is narrowed
        # through the index like the find itself; unnarrowed it scanned the collection
        # on every sorted find.
        narrowing = self._index_narrowing(db_name, coll_name, plan)

        def fetchone(sql: str, params: tuple[Any, ...]) -> Any:
            return self._require_connection().execute(*_narrowed(sql, params, db_name, coll_name, narrowing)).fetchone()

        m = _sqlite_engine_module
        return bool(
            m._sqlite_sort_requires_python(  # type: ignore[attr-defined]
                db_name=db_name,
                coll_name=coll_name,
                plan=plan,
                sort=sort,
                plan_has_array_traversing_paths=self._plan_has_array_traversing_paths,
                translate_query_plan=m.translate_query_plan,  # type: ignore[attr-defined]
                field_traverses_array_in_collection=self._field_traverses_array_in_collection,
                field_contains_tagged_bytes_in_collection=self._field_contains_tagged_bytes_in_collection,
                field_contains_tagged_undefined_in_collection=self._field_contains_tagged_undefined_in_collection,
                fetchone=fetchone,
                type_expression_sql=m.type_expression_sql,  # type: ignore[attr-defined]
                json_path_for_field=m.json_path_for_field,  # type: ignore[attr-defined]
            )
        )

    def _plan_requires_python_for_decimal_numeric(self, db_name: str, coll_name: str, plan: Any) -> bool:
        # As shipped: does any document hold a decimal in any field the query names?
        # That probe scans the collection (three times per field, once per decimal
        # tag) and its answer is forgotten at every write, so on a collection that is
        # written often (customers, orders) nearly every query and update paid for it.
        # The answer does not matter when the query only tests equality with non-numbers:
        # an id, a string, a date, a boolean or null never equals a decimal.
        if _operands_are_not_numbers(plan):
            return False
        return bool(super()._plan_requires_python_for_decimal_numeric(db_name, coll_name, plan))

    def _index_narrowing(self, db_name: str, coll_name: str, query: Any) -> tuple[str, list[Any]] | None:
        """An index-backed condition that every document matching ``query`` meets; None when there is none."""
        pending: tuple[str, list[Any]] | None = getattr(self._pending_narrowing, "value", None)
        if pending is not None:
            return pending
        found = self._narrowing_term(db_name, coll_name, query)
        return None if found is None else found[1]

    def _narrowing_term(self, db_name: str, coll_name: str, query: Any) -> tuple[Any, tuple[str, list[Any]]] | None:
        """The query's term an index answers exactly, and the SQL condition that answers it.

        Taken from one top-level equality or ``$in`` (alone or in an ``$and``) on ``_id``
        or on a field with a single-field index, over ids and strings only.
        """
        terms = query.clauses if isinstance(query, AndCondition) else (query,)
        for term in terms:
            if not isinstance(term, (EqualsCondition, InCondition)) or "." in term.field or term.null_matches_undefined:
                continue
            values = term.values if isinstance(term, InCondition) else (term.value,)
            if not values and isinstance(term, InCondition):
                # ``$in: []`` matches nothing. As shipped, the engine wrote it as SQL
                # ``IN ()`` on an indexed field, a syntax error that failed the query.
                return term, ("0", [])
            if not values or not all(isinstance(v, str) or type(v).__name__ == "ObjectId" for v in values):
                continue  # (a null also matches a missing field, which has no index entry)
            if term.field == "_id":
                # The storage key is the id's own encoding: exact for ids and strings.
                keys = [self._storage_key(v) for v in values]
                return term, (f"storage_key IN ({', '.join('?' * len(keys))})", keys)
            found = self._entry_lookup(db_name, coll_name, term.field, values)
            if found is not None:
                return term, found
        return None

    def _entry_lookup(
        self, db_name: str, coll_name: str, field: str, values: tuple[Any, ...]
    ) -> tuple[str, list[Any]] | None:
        index = self._find_scalar_fast_path_index(db_name, coll_name, field)
        if index is None:
            return None
        multikey = bool(index.get("multikey"))
        if not multikey and self._field_is_top_level_array_in_collection(db_name, coll_name, field):
            return None
        collection_id = self._lookup_collection_id(self._require_connection(), db_name, coll_name)
        if collection_id is None:
            return None
        entries: list[tuple[int, str]] = []
        for value in values:
            try:
                signatures = self._multikey_signatures_for_query_value(value, null_matches_undefined=False)
            except NotImplementedError:
                return None
            if len(signatures) != 1 or signatures[0][0] not in _NARROWING_TYPES:
                return None
            element_type, element_key = signatures[0]
            entries.append((self._multikey_type_score(element_type), element_key))
        by_score: dict[int, list[str]] = {}
        for score, key in entries:
            by_score.setdefault(score, []).append(key)
        tables = [("scalar_index_entries", SHARED_SCALAR_INDEX)]
        if multikey:
            tables.append(("multikey_entries", SHARED_MULTIKEY_INDEX))
        # One IN list per value type: an OR chain of pairs hit SQLite's expression-depth
        # limit (1,000) for a long $in, which failed the query.
        lookups, params = [], []
        for table, btree in tables:
            for score, keys in by_score.items():
                lookups.append(
                    f"SELECT storage_key FROM {table} INDEXED BY {btree} WHERE collection_id = ?"
                    f" AND index_name = ? AND type_score = ? AND element_key IN ({', '.join('?' * len(keys))})"
                )
                params += [collection_id, index["name"], score, *keys]
        return f"storage_key IN ({' UNION ALL '.join(lookups)})", params

    def _decode_codec_payload(self, payload: object, *, preserve_bson_wrappers: bool) -> Any:
        # As shipped this asked inspect.signature of the codec's decode for every document
        # read (~50 µs each); the engine's own codec takes the keyword.
        if self._codec is DocumentCodec:
            return DocumentCodec.decode(payload, preserve_bson_wrappers=preserve_bson_wrappers)
        return super()._decode_codec_payload(payload, preserve_bson_wrappers=preserve_bson_wrappers)

    def _validate_document_against_unique_indexes(  # type: ignore[override]
        self,
        db_name: str,
        coll_name: str,
        document: dict[str, Any],
        *,
        exclude_storage_key: str | None = None,
        skip_id_check: bool = False,
        scan_payload_id: bool = False,
    ) -> None:
        trusted = "_id" in document and not skip_id_check and not id_contains_numeric_value(document["_id"])
        self._note_written_document(db_name, coll_name, document)
        self._pk_checked.value = trusted
        try:
            super()._validate_document_against_unique_indexes(
                db_name,
                coll_name,
                document,
                exclude_storage_key=exclude_storage_key,
                skip_id_check=skip_id_check,
                scan_payload_id=scan_payload_id and not trusted,
            )
        finally:
            self._pk_checked.value = False

    # --- facts about array and DBRef paths survive writes -----------------------------
    # Before a write the uniqueness check, and before a query the planner, ask whether
    # any stored document holds an array (or a DBRef) along a field: one SQL scan of the
    # collection each, cached per collection, but every write dropped the cache. So
    # every update of a customer scanned ``customers`` once per unique index, and the
    # next query on a collection just written scanned it again per field it names:
    # a tenth of the database's CPU in the rescoring sweep, growing with the tables.
    # Only a written document can make such a fact true, and every document written
    # (insert, batch insert, update, upsert) passes ``_validate_document_against_unique_indexes``
    # first. So these facts are kept across writes, and a written document that holds
    # an array or anything but a plain dict along a fact's field turns it True. True
    # only costs speed (the engine then takes its general path); a delete leaves a
    # stale True.

    _PATH_FACTS = ("top_level_array:", "traverses_array:", "traverses_dbref:")

    def _note_written_document(self, db_name: str, coll_name: str, document: dict[str, Any]) -> None:
        cache = self._collection_features_cache
        for key, value in list(cache.items()):
            if value is not False or key[0] != db_name or key[1] != coll_name:
                continue
            fact = key[2]
            if fact.startswith(self._PATH_FACTS) and _path_may_hold_array_or_ref(document, fact.split(":", 1)[1]):
                cache[key] = True

    def _invalidate_collection_features_cache(self, db_name: str | None = None, coll_name: str | None = None) -> None:
        if db_name is None or coll_name is None:
            super()._invalidate_collection_features_cache(db_name, coll_name)
            return
        cache = self._collection_features_cache
        kept = {
            key: value
            for key, value in cache.items()
            if key[0] == db_name and key[1] == coll_name and key[2].startswith(self._PATH_FACTS)
        }
        super()._invalidate_collection_features_cache(db_name, coll_name)
        cache.update(kept)

    def _unique_index_conflict_via_scalar_entries(  # type: ignore[override]
        self, conn: Any, collection_id: Any, index: Any, document: Any, **kwargs: Any
    ) -> bool | None:
        if list(index["fields"]) == _ID_FIELDS and getattr(self._pk_checked, "value", False):
            return False
        return super()._unique_index_conflict_via_scalar_entries(conn, collection_id, index, document, **kwargs)


def _path_may_hold_array_or_ref(document: dict[str, Any], field: str) -> bool:
    """Whether ``document`` may hold an array, or anything but a plain dict, along ``field``.

    Errs towards True: a list, a DBRef or any other container on the way, or a list at
    the end, counts; only plain dicts down to a plain value (or nothing) do not.
    """
    value: Any = document
    for part in field.split("."):
        if not isinstance(value, dict):
            return value is not None and type(value) not in _PLAIN_LEAVES
        value = value.get(part)
    return not isinstance(value, dict) and value is not None and type(value) not in _PLAIN_LEAVES


def _no_change_outbox(*_args: Any, **_kwargs: Any) -> None:
    """The engine's change-outbox append, made a no-op: what a write with publication DISABLED does.

    With ``change_delivery="none"`` no change stream is ever fed from the outbox, yet every
    write still serialised its whole document a second time and inserted two outbox rows
    (a "gap" marker when nobody listens): a tenth of the database's CPU in a burst of
    orders. medcredit opens no change streams (see the class docstring above).
    """
    return None


_sqlite_engine_module._sqlite_append_change = _no_change_outbox  # type: ignore[attr-defined]
