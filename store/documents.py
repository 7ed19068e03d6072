"""Uploaded qualification documents: their records and their files in GridFS."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bson import ObjectId
from motor.motor_asyncio import AsyncIOMotorGridFSBucket
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from store.connection import Database
from store.paging import Page, SortKey, Window, read_page, sort_order

DOCUMENTS = "documents"
BUCKET = "scans"


def _bucket(db: Database) -> AsyncIOMotorGridFSBucket:
    return AsyncIOMotorGridFSBucket(db, bucket_name=BUCKET)


async def store_file(db: Database, file_name: str, data: bytes, metadata: dict[str, Any]) -> ObjectId:
    """Put the file in GridFS with ``metadata``; returns its file id."""
    return await _bucket(db).upload_from_stream(file_name, data, metadata=metadata)


async def read_file(db: Database, file_id: ObjectId) -> bytes:
    """The bytes of a stored file.

    Raises:
        NoFile: there is no file with this id.
    """
    stream = await _bucket(db).open_download_stream(file_id)
    return await stream.read()


async def delete_file(db: Database, file_id: ObjectId) -> None:
    """Remove a file from GridFS.

    Raises:
        NoFile: there is no file with this id.
    """
    await _bucket(db).delete(file_id)


async def insert_document(db: Database, document: dict[str, Any]) -> dict[str, Any] | None:
    """Insert the record; None when the same file was already uploaded for this customer."""
    try:
        await db[DOCUMENTS].insert_one(document)
    except DuplicateKeyError:
        return None
    return document


async def get_document(db: Database, oid: ObjectId) -> dict[str, Any] | None:
    """The document record with this id, or None."""
    return await db[DOCUMENTS].find_one({"_id": oid})


async def find_by_content(db: Database, content_key: str) -> dict[str, Any] | None:
    """The record of the upload with this ``content_key`` (``<customer>:<sha256 of the file>``), or None."""
    return await db[DOCUMENTS].find_one({"content_key": content_key})


async def update_document(
    db: Database, oid: ObjectId, changes: dict[str, Any], *, only_if_status: list[str] | None = None
) -> dict[str, Any] | None:
    """Apply ``changes``; with ``only_if_status`` only from one of those statuses (else None)."""
    query: dict[str, Any] = {"_id": oid}
    if only_if_status is not None:
        query["status"] = {"$in": only_if_status}
    return await db[DOCUMENTS].find_one_and_update(query, {"$set": changes}, return_document=ReturnDocument.AFTER)


async def documents_with_status(db: Database, status: str, limit: int) -> list[dict[str, Any]]:
    """At most ``limit`` records in ``status``, oldest upload first."""
    cursor = db[DOCUMENTS].find({"status": status}).sort("uploaded_at", 1).limit(limit)
    return [doc async for doc in cursor]


@dataclass(frozen=True, slots=True)
class DocumentQuery:
    customer_id: ObjectId | None = None
    statuses: tuple[str, ...] | None = None
    certificate_type: str | None = None

    def to_filter(self) -> dict[str, Any]:
        """The filter for the criteria set.

        A certificate type matches the type read from the file, or the declared one until it is read.
        """
        query: dict[str, Any] = {}
        if self.customer_id is not None:
            query["customer_id"] = self.customer_id
        if self.statuses is not None:
            query["status"] = {"$in": list(self.statuses)}
        if self.certificate_type is not None:
            # The type read from the document wins; until it is read, the one declared at upload.
            query["$or"] = [
                {"certificate_type": self.certificate_type},
                {"certificate_type": None, "declared_type": self.certificate_type},
            ]
        return query


async def page_documents(db: Database, query: DocumentQuery, sort: SortKey, window: Window, default_size: int) -> Page:
    """One page of the documents ``query`` matches, in ``sort`` order."""
    return await read_page(db[DOCUMENTS], query.to_filter(), sort, window, default_size)


async def documents_of_many(
    db: Database, customer_ids: list[ObjectId], query: DocumentQuery, sort: SortKey
) -> dict[ObjectId, list[dict[str, Any]]]:
    """Every document of these customers that ``query`` matches, per customer, in ``sort`` order.

    ``query.customer_id`` is ignored: the customers are ``customer_ids``.
    """
    base = replace(query, customer_id=None).to_filter()
    found: dict[ObjectId, list[dict[str, Any]]] = {oid: [] for oid in customer_ids}
    cursor = db[DOCUMENTS].find({**base, "customer_id": {"$in": customer_ids}}).sort(sort_order(sort))
    async for doc in cursor:
        found[doc["customer_id"]].append(doc)
    return found


async def documents_by_status(db: Database) -> dict[str, int]:
    """How many documents are in each status (statuses with none are left out)."""
    rows = db[DOCUMENTS].aggregate([{"$group": {"_id": "$status", "count": {"$sum": 1}}}])
    return {str(row["_id"]): int(row["count"]) async for row in rows}
