"""Qualification documents and certificates: types, queries and mutations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from bson import ObjectId
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload
from strawberry.types import Info

from infra import ids
from schema.context import DocumentsKey
from schema.enums import CertificateType, CheckOutcome, DeviceClass, DocumentStatus
from schema.errors import UserError, run_mutation
from schema.node import Node
from schema.pagination import (
    DEFAULT_PAGE,
    Connection,
    OrderDirection,
    connection_from,
    filtered_customer,
    ordering_for,
    window_for,
)
from schema.permissions import CREDIT, ONBOARDING, IsAuthenticated
from scoring.qualification import is_in_force
from services import document_review, expiry, uploads
from services.facts import to_certificate
from store import certificates as cert_store
from store import dates
from store import documents as store

if TYPE_CHECKING:
    from schema.customers import Customer

MAX_QUEUE = 200
# The most items any list field returns in one response.
MAX_LIST = 500


@strawberry.type
class ExtractedFields:
    license_number: str | None
    holder_name: str | None
    uscc: str | None
    valid_from: date | None
    valid_until: date | None
    issuing_authority: str | None
    scope_categories: list[str]
    device_classes: list[DeviceClass]
    confidence: float
    engine: str


@strawberry.type
class VerificationCheck:
    name: str
    outcome: CheckOutcome
    detail: str


def _extracted(doc: dict[str, Any] | None) -> ExtractedFields | None:
    if not doc:
        return None
    return ExtractedFields(
        license_number=doc.get("license_number"),
        holder_name=doc.get("holder_name"),
        uscc=doc.get("uscc"),
        valid_from=dates.from_bson(doc.get("valid_from")),
        valid_until=dates.from_bson(doc.get("valid_until")),
        issuing_authority=doc.get("issuing_authority"),
        scope_categories=list(doc.get("scope_categories", [])),
        device_classes=[DeviceClass(c) for c in doc.get("device_classes", [])],
        confidence=float(doc.get("confidence", 0.0)),
        engine=str(doc.get("engine", "")),
    )


@strawberry.type
class QualificationDocument(Node):
    doc: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> QualificationDocument:
        return cls(id=strawberry.ID(ids.encode_id("QualificationDocument", doc["_id"])), doc=doc)

    @strawberry.field
    def certificate_type(self) -> CertificateType | None:
        value = self.doc.get("certificate_type") or self.doc.get("declared_type")
        return CertificateType(value) if value else None

    @strawberry.field
    def file_name(self) -> str:
        return str(self.doc["file_name"])

    @strawberry.field
    def status(self) -> DocumentStatus:
        return DocumentStatus(self.doc["status"])

    @strawberry.field
    def extracted(self) -> ExtractedFields | None:
        return _extracted(self.doc.get("extracted"))

    @strawberry.field
    def checks(self) -> list[VerificationCheck]:
        return [
            VerificationCheck(name=c["name"], outcome=CheckOutcome(c["outcome"]), detail=c["detail"])
            for c in self.doc.get("checks", [])
        ]

    @strawberry.field
    def uploaded_at(self) -> datetime:
        return self.doc["uploaded_at"]

    @strawberry.field
    def processed_at(self) -> datetime | None:
        return self.doc.get("processed_at")

    @strawberry.field(description="The reviewer's decision and note, once a person decided.")
    def review_note(self) -> str | None:
        return (self.doc.get("review") or {}).get("note")

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("schema.customers")]:
        from schema.customers import Customer

        doc = await info.context.customers.load(self.doc["customer_id"])
        return Customer.from_doc(doc)


@strawberry.type
class Certificate(Node):
    doc: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Certificate:
        return cls(id=strawberry.ID(ids.encode_id("Certificate", doc["_id"])), doc=doc)

    @strawberry.field
    def type(self) -> CertificateType:
        return CertificateType(self.doc["type"])

    @strawberry.field
    def number(self) -> str:
        return str(self.doc["number"])

    @strawberry.field
    def valid_until(self) -> date | None:
        return dates.from_bson(self.doc.get("valid_until"))

    @strawberry.field
    def scope_categories(self) -> list[str]:
        return list(self.doc.get("scope_categories", []))

    @strawberry.field
    def device_classes(self) -> list[DeviceClass]:
        return [DeviceClass(c) for c in self.doc.get("device_classes", [])]

    @strawberry.field
    def days_to_expiry(self) -> int | None:
        until = dates.from_bson(self.doc.get("valid_until"))
        return (until - datetime.now(UTC).date()).days if until else None

    @strawberry.field(description="False once the certificate has lapsed (marked by the expiry watch).")
    def in_force(self, info: Info) -> bool:
        # The order gate's own test, so the screen never says "in force" where an order is refused.
        return is_in_force(to_certificate(self.doc), datetime.now(UTC).date(), info.context.runtime.policy)

    @strawberry.field
    async def source_document(self, info: Info) -> QualificationDocument:
        doc = await store.get_document(info.context.db, self.doc["source_document_id"])
        return QualificationDocument.from_doc(doc)  # type: ignore[arg-type]


@strawberry.type
class DocumentPayload:
    document: QualificationDocument | None
    errors: list[UserError]


def certificates_from(docs: list[dict[str, Any]]) -> list[Certificate]:
    return [Certificate.from_doc(d) for d in docs]


async def load_document(info: Info, public_id: str) -> QualificationDocument | None:
    oid = ids.decode_oid(public_id, "QualificationDocument")
    doc = await store.get_document(info.context.db, oid) if oid else None
    return QualificationDocument.from_doc(doc) if doc else None


async def load_certificate(info: Info, public_id: str) -> Certificate | None:
    oid = ids.decode_oid(public_id, "Certificate")
    doc = await cert_store.get_certificate(info.context.db, oid) if oid else None
    return Certificate.from_doc(doc) if doc else None


@strawberry.enum(description="What `documents` can be sorted by.")
class DocumentOrderField(Enum):
    UPLOADED_AT = strawberry.enum_value("uploaded_at", description="When the file was uploaded (the default).")
    FILE_NAME = strawberry.enum_value("file_name", description="The uploaded file's name.")


@strawberry.input(description="How to sort documents; newest first unless told otherwise.")
class DocumentOrder:
    field: DocumentOrderField = DocumentOrderField.UPLOADED_AT
    direction: OrderDirection = OrderDirection.DESC


@strawberry.input(description="Which documents to list; every given condition must hold.")
class DocumentFilter:
    customer_id: strawberry.ID | None = None
    status: list[DocumentStatus] | None = strawberry.field(default=None, description="Any of these statuses.")
    certificate_type: CertificateType | None = strawberry.field(
        default=None, description="The type read from the document, or declared at upload until it is read."
    )


async def documents_page(
    info: Info,
    customer_oid: ObjectId | None,
    filter: DocumentFilter | None,
    order_by: DocumentOrder | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[QualificationDocument]:
    f = filter or DocumentFilter()
    o = order_by or DocumentOrder()
    name, sort = ordering_for("documents", o.field, o.direction)
    window = window_for(name, first, after, last, before)
    query = store.DocumentQuery(
        customer_id=customer_oid,
        statuses=tuple(s.value for s in f.status) if f.status is not None else None,
        certificate_type=f.certificate_type.value if f.certificate_type else None,
    )
    if customer_oid is not None and window.after is None and window.before is None:
        # A list screen's per-customer field: batched with the other rows' (schema.context).
        key = DocumentsKey(customer_oid, replace(query, customer_id=None), sort, window)
        page = await info.context.documents.load(key)
    else:
        page = await store.page_documents(info.context.db, query, sort, window, DEFAULT_PAGE)
    return connection_from(page, name, sort, QualificationDocument.from_doc)


@strawberry.type
class DocumentQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def document(self, info: Info, id: strawberry.ID) -> QualificationDocument | None:
        return await load_document(info, id)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Uploaded documents, newest first by default; filter by customer, status and type.",
    )
    async def documents(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: DocumentFilter | None = None,
        order_by: DocumentOrder | None = None,
    ) -> Connection[QualificationDocument]:
        return await documents_page(info, filtered_customer(filter), filter, order_by, first, after, last, before)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Documents awaiting a person, oldest first.",
    )
    async def review_queue(self, info: Info, first: int | None = 20) -> list[QualificationDocument]:
        limit = min(20 if first is None else first, MAX_QUEUE)
        if limit <= 0:
            return []  # MongoDB reads limit(0) as "no limit"
        docs = await store.documents_with_status(info.context.db, DocumentStatus.NEEDS_REVIEW.value, limit)
        return [QualificationDocument.from_doc(d) for d in docs]

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description=f"Soonest ending first; `first` at most {MAX_LIST} (default 100).",
    )
    async def expiring_certificates(self, info: Info, within_days: int, first: int | None = 100) -> list[Certificate]:
        today = datetime.now(UTC).date()
        docs = await expiry.expiring_certificates(info.context.runtime, within_days, today=today)
        return [Certificate.from_doc(d) for d in docs[: max(0, min(100 if first is None else first, MAX_LIST))]]


@strawberry.type
class DocumentMutation:
    @strawberry.mutation(permission_classes=[ONBOARDING])
    async def upload_qualification_document(
        self,
        info: Info,
        customer_id: strawberry.ID,
        file: Upload,
        certificate_type: CertificateType | None = None,
    ) -> DocumentPayload:
        rt = info.context.runtime
        # Read one byte past the limit: enough to tell "too large" without holding more.
        upload = cast(UploadFile, file)  # on Starlette the Upload scalar carries an UploadFile
        data = await upload.read(rt.settings.max_upload_bytes + 1)
        file_name = upload.filename or "upload"
        doc, errors = await run_mutation(
            lambda: uploads.upload_document(
                rt,
                ids.decode_oid(customer_id, "Customer"),
                file_name,
                data,
                certificate_type,
                actor=info.context.actor,
            )
        )
        return DocumentPayload(document=QualificationDocument.from_doc(doc) if doc else None, errors=errors)

    @strawberry.mutation(permission_classes=[CREDIT])
    async def review_document(self, info: Info, id: strawberry.ID, approve: bool, note: str) -> DocumentPayload:
        doc, errors = await run_mutation(
            lambda: document_review.review_document(
                info.context.runtime,
                ids.decode_oid(id, "QualificationDocument"),
                approve,
                note,
                actor=info.context.actor,
            )
        )
        return DocumentPayload(document=QualificationDocument.from_doc(doc) if doc else None, errors=errors)
