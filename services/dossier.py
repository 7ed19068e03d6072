"""The qualification dossier (审核报告): a customer's whole file gathered, rendered and logged.

It prints the customer master, each required document and its state, every upload with
a thumbnail, its extracted fields and their evidence, every check the verifier kept
(consistency, history, registry, tamper signals), the review decisions with who and
when, and the validity timeline. Each generation is kept in the audit trail with the
content's and the PDF's SHA-256, so a printed copy can be matched later.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from bson import ObjectId

from infra import ids
from infra.render import labels
from infra.render.dossier_pdf import (
    CheckLine,
    Decision,
    DocumentSection,
    DossierData,
    RequirementLine,
    Validity,
    render_dossier,
)
from infra.runtime import Runtime
from scoring.qualification import is_expired, is_in_force
from services import onboarding
from services.errors import ErrorCode, invalid
from services.facts import to_certificate
from store import archive, dates
from store import audit as audit_store
from store import certificates as cert_store
from store import customers as customer_store
from store import documents as document_store
from verification.pdfium import open_pdf

THUMBNAIL_PX = 360


def thumbnail(data: bytes, mime: str) -> bytes | None:
    """A small PNG of the first page (PDF) or of the image; None when it cannot be drawn."""
    from PIL import Image

    try:
        if mime == "application/pdf":
            with open_pdf(data) as pdf:  # PDFium is not thread-safe: one door for all
                page = pdf[0]
                scale = THUMBNAIL_PX / max(page.get_width(), page.get_height())
                image = page.render(scale=scale).to_pil()
        else:
            image = Image.open(io.BytesIO(data))
            image.load()
        image = image.convert("RGB")
        image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
    except Exception:  # noqa: BLE001 - a damaged upload gets no thumbnail, the dossier still prints
        return None


async def find_customer(rt: Runtime, key: str) -> dict[str, Any] | None:
    """A customer by public id (``cus_…``) or by customer code."""
    oid = ids.decode_oid(key, "Customer")
    if oid is not None:
        return await customer_store.get_customer(rt.db, oid)
    return await archive.customer_by_code(rt.db, key)


def _text(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


def _evidence(extracted: dict[str, Any], name: str) -> str:
    found = ((extracted.get("evidence") or {}).get("fields") or {}).get(name)
    if not found:
        return "—"
    return f"“{found.get('raw', '')}” · {found.get('engine', '')} · {float(found.get('confidence', 0)):.2f}"


def _document_section(document: dict[str, Any], thumb: bytes | None) -> DocumentSection:
    extracted = document.get("extracted") or {}
    fields = [(label, _text(extracted.get(name)), _evidence(extracted, name)) for name, label in labels.FIELDS.items()]
    signals = ((extracted.get("evidence") or {}).get("signals")) or []
    review = document.get("review")
    return DocumentSection(
        file_name=document["file_name"],
        sha256=document.get("sha256", ""),
        uploaded_at=document["uploaded_at"],
        uploaded_by=document.get("uploaded_by", ""),
        status=labels.DOCUMENT_STATUSES.get(document["status"], document["status"]),
        certificate_type=labels.certificate_type(document.get("certificate_type") or document.get("declared_type")),
        thumbnail_png=thumb,
        fields=fields if extracted else [],
        checks=[
            CheckLine(c["name"], labels.OUTCOMES.get(c["outcome"].upper(), c["outcome"]), c["detail"])
            for c in document.get("checks") or []
        ],
        # Tamper signals the verifier already kept as checks are printed once.
        signals=[
            CheckLine("篡改信号·" + s["name"], labels.OUTCOMES.get(s["outcome"].upper(), s["outcome"]), s["detail"])
            for s in signals
            if s["name"] not in {c["name"] for c in document.get("checks") or []}
        ],
        review=(
            f"{'通过' if review['approve'] else '驳回'} · {review['by']} · "
            f"{review['at'].isoformat(timespec='seconds')} · {review.get('note', '')}"
            if review
            else None
        ),
    )


def _requirements(
    rt: Runtime, customer: dict[str, Any], certificates: list[dict[str, Any]], today: date
) -> list[RequirementLine]:
    state = onboarding.assess(customer, certificates, today, rt.policy)
    lines = []
    for requirement in rt.policy.onboarding.requirements_for(customer["type"]):
        held = [c for c in certificates if c["type"] in requirement.any_of]
        if requirement.key in state.expired:
            status = "已过期"
        elif requirement.key in state.missing:
            status = "缺失或不符"
        elif requirement.key in state.expiring_soon:
            status = "满足（即将到期）"
        else:
            status = "满足"
        held_by = "；".join(_held(c, today, rt) for c in held)
        lines.append(RequirementLine(requirement.label, status, held_by or "—"))
    return lines


def _held(certificate: dict[str, Any], today: date, rt: Runtime) -> str:
    facts = to_certificate(certificate)
    if is_in_force(facts, today, rt.policy):
        state = "有效"
    elif is_expired(facts, today, rt.policy):
        state = "已过期"
    else:
        state = labels.DOCUMENT_STATUSES.get(certificate.get("status", ""), certificate.get("status", ""))
    until = _text(certificate.get("valid_until")) if certificate.get("valid_until") else "长期"
    return f"{labels.certificate_type(certificate['type'])} {certificate.get('number', '')}（至 {until}，{state}）"


def content_digest(payload: dict[str, Any]) -> str:
    """SHA-256 of the dossier's content (canonical JSON), independent of when it was generated."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


async def build_dossier(
    rt: Runtime, key: str, *, actor: str, now: datetime | None = None
) -> tuple[dict[str, Any], bytes]:
    """Gather the customer's file and render the dossier; the generation is audited.

    Raises:
        InvalidInput: no customer with this id or code (NOT_FOUND).
    Returns:
        The customer and the PDF bytes.
    """
    customer = await find_customer(rt, key)
    if customer is None:
        raise invalid("No customer with this id or code.", ErrorCode.NOT_FOUND, "customer")
    now = now or datetime.now(UTC)
    today = now.date()
    oid: ObjectId = customer["_id"]
    certificates, documents, decisions = await asyncio.gather(
        cert_store.certificates_of(rt.db, oid),
        archive.documents_of(rt.db, oid),
        archive.decisions_of(rt.db, oid, list(labels.DECISIONS)),
    )
    files = await asyncio.gather(*(document_store.read_file(rt.db, d["file_id"]) for d in documents))
    thumbs = await asyncio.gather(
        *(asyncio.to_thread(thumbnail, data, d.get("mime", "")) for d, data in zip(documents, files, strict=True))
    )
    state = onboarding.assess(customer, certificates, today, rt.policy)
    approval = (customer.get("onboarding") or {}).get("approval") or {}
    master = [
        ("客户编号", customer["code"]),
        ("客户名称", customer["legal_name"]),
        ("统一社会信用代码", customer.get("uscc") or "—"),
        ("客户类型", labels.CUSTOMER_TYPES.get(customer["type"], customer["type"])),
        ("地区", customer.get("region") or "—"),
        ("建档", f"{customer['created_at'].isoformat(timespec='seconds')} · {customer.get('created_by', '')}"),
        ("信用额度", f"{customer.get('credit_limit', 0)} 元 · 账期 {customer.get('payment_term_days', '')} 天"),
    ]
    onboarding_rows = [
        ("首营状态", f"{labels.ONBOARDING_STATUSES[state.status.value]}（{state.status.value}）"),
        ("缺少", "、".join(onboarding.labels(rt.policy, customer["type"], state.missing)) or "无"),
        ("即将到期", "、".join(onboarding.labels(rt.policy, customer["type"], state.expiring_soon)) or "无"),
        ("最近审核", f"{approval.get('by', '—')} · {_text(approval.get('at'))}" if approval else "尚未审核"),
        ("下次复审", state.next_review_on.isoformat() if state.next_review_on else "—"),
        ("审核标准版本", rt.policy.version),
    ]
    decision_rows = [
        Decision(
            at=row["at"],
            actor=row["actor"],
            action=labels.DECISIONS.get(row["action"], row["action"]),
            note=str((row.get("detail") or {}).get("note") or (row.get("detail") or {}).get("reason") or ""),
        )
        for row in decisions
    ]
    validity = [
        Validity(
            labels.certificate_type(c["type"]),
            dates.from_bson(c.get("valid_from")),
            dates.from_bson(c.get("valid_until")),
        )
        for c in certificates
    ]
    sections = [_document_section(d, t) for d, t in zip(documents, thumbs, strict=True)]
    requirements = _requirements(rt, customer, certificates, today)
    content = {
        "master": master,
        "onboarding": onboarding_rows,
        "requirements": [vars_of(r) for r in requirements],
        "documents": [{**vars_of(s), "thumbnail_png": None} for s in sections],
        "decisions": [vars_of(d) for d in decision_rows],
        "validity": [vars_of(v) for v in validity],
        "day": today,
    }
    digest = content_digest(content)
    data = DossierData(
        generated_at=now,
        generated_by=actor,
        content_sha256=digest,
        master=master,
        onboarding=onboarding_rows,
        requirements=requirements,
        documents=sections,
        decisions=decision_rows,
        validity=validity,
        today=today,
    )
    pdf = await asyncio.to_thread(render_dossier, data)
    await rt.audit.write(
        audit_store.entry(
            oid,
            "DOSSIER_GENERATED",
            actor,
            {"contentSha256": digest, "pdfSha256": hashlib.sha256(pdf).hexdigest(), "generatedAt": now.isoformat()},
        )
    )
    return customer, pdf


def vars_of(item: Any) -> dict[str, Any]:
    """A slotted dataclass as a dict (for the content digest)."""
    return asdict(item)
