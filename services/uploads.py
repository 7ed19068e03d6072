"""Uploads: a file is checked (type by content, size, pages, encryption) and stored before
anything else, then queued for a worker to read.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from infra.runtime import Runtime
from services.customers import require_customer
from services.documents import status_event
from services.errors import invalid
from store import documents as store
from verification import (
    CertificateType,
    DocumentError,
    DocumentStatus,
    sniff,
)


async def upload_document(
    rt: Runtime,
    customer_id: ObjectId | None,
    file_name: str,
    data: bytes,
    declared_type: CertificateType | None,
    *,
    actor: str,
) -> dict[str, Any]:
    """Check and store an uploaded file, then queue it for reading.

    The same file uploaded again for the same customer returns the first upload's
    record instead of a second one (a failed one is queued again).

    Raises:
        InvalidInput: unknown customer; empty, too large, unsupported, corrupt, encrypted
            or too-many-pages file (nothing is stored then).
    """
    customer = await require_customer(rt.db, customer_id)
    settings = rt.settings
    try:
        kind = sniff(
            data,
            max_bytes=settings.max_upload_bytes,
            max_pages=settings.max_pages,
            max_page_points=settings.max_page_points,
            max_pixels=settings.max_image_pixels,
        )
    except DocumentError as exc:
        raise invalid(f"{file_name}: {exc.message}", exc.code, "file") from exc
    digest = hashlib.sha256(data).hexdigest()
    content_key = f"{customer['_id']}:{digest}"
    existing = await store.find_by_content(rt.db, content_key)
    if existing is not None:
        if existing["status"] == DocumentStatus.FAILED.value:
            return await _queue(rt, existing["_id"], reset=True)
        return existing
    doc_id = ObjectId()
    file_id = await store.store_file(
        rt.db,
        file_name,
        data,
        {"document_id": doc_id, "customer_id": customer["_id"], "mime": kind.mime},
    )
    record = {
        "_id": doc_id,
        "customer_id": customer["_id"],
        "file_id": file_id,
        "file_name": file_name,
        "mime": kind.mime,
        "size": len(data),
        "sha256": digest,
        "content_key": content_key,
        "declared_type": declared_type.value if declared_type else None,
        "status": DocumentStatus.QUEUED.value,
        "checks": [],
        "extracted": None,
        "uploaded_at": datetime.now(UTC),
        "uploaded_by": actor,
        "processed_at": None,
    }
    if await store.insert_document(rt.db, record) is None:
        # A concurrent upload of the same file won the race; keep one record and one file.
        await store.delete_file(rt.db, file_id)
        found = await store.find_by_content(rt.db, content_key)
        assert found is not None
        return found
    await status_event(rt, record)
    await rt.queue.send(rt.db, "process_document", str(doc_id))
    return record


async def _queue(rt: Runtime, doc_id: ObjectId, *, reset: bool) -> dict[str, Any]:
    changes: dict[str, Any] = {"status": DocumentStatus.QUEUED.value}
    if reset:
        changes.update(checks=[], extracted=None, processed_at=None)
    document = await store.update_document(rt.db, doc_id, changes)
    assert document is not None
    await status_event(rt, document)
    await rt.queue.send(rt.db, "process_document", str(doc_id))
    return document
