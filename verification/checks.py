"""Verifying a read document against what we hold about the customer.

Each check records its outcome and evidence. The document's status follows from the
checks: an expired document or a clear mismatch blocks, anything uncertain (low OCR
confidence, a checksum that fails, engines that disagree, missing fields) goes to a
person, and the rest is verified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from scoring.policy import Policy, packaged_policy
from scoring.qualification import Certificate, covers_line
from verification.consistency import breaches
from verification.evidence import HeldDocument, RegistryAnswer
from verification.field_evidence import evidence_text, field_confidence, number_repaired
from verification.history import contradictions
from verification.normalize import names_match, normalize_name, similarity
from verification.registry import check_registry
from verification.rules import DEFAULT_RULES, ConsistencyRules
from verification.types import (
    CertificateType,
    Check,
    CheckOutcome,
    DeviceClass,
    DocumentStatus,
    ExtractedFields,
)
from verification.uscc import is_valid_uscc, normalize_uscc
from verification.validators import dates_ok, number_shape_ok

PASS, FAIL, WARN = CheckOutcome.PASS, CheckOutcome.FAIL, CheckOutcome.WARN
# Below this similarity two names are different companies, not an OCR slip.
CLEAR_NAME_MISMATCH = 0.75

# Document types that carry a credit code, and those whose scope grants device rights.
USCC_TYPES = frozenset(
    {
        CertificateType.BUSINESS_LICENSE,
        CertificateType.OPERATION_LICENSE,
        CertificateType.CLASS2_FILING,
        CertificateType.PRODUCTION_LICENSE,
    }
)
NO_EXPIRY_TYPES = frozenset({CertificateType.CLASS2_FILING})


@dataclass(frozen=True)
class Purchase:
    """A kind of product the customer buys: device class and catalogue category."""

    device_class: DeviceClass
    category: str | None = None


@dataclass(frozen=True)
class CustomerFacts:
    """What we hold about a customer, to compare a document with."""

    legal_name: str
    uscc: str | None = None
    customer_type: str | None = None
    purchases: tuple[Purchase, ...] = ()


@dataclass(frozen=True)
class VerificationResult:
    """The document's status, every check behind it, and its expiry outlook."""

    status: DocumentStatus
    checks: tuple[Check, ...]
    confidence: float
    valid_until: date | None
    days_to_expiry: int | None
    reminder_due: int | None  # the reminder threshold (90/60/30 days) reached, if any

    def failed(self) -> tuple[Check, ...]:
        """Return the checks that did not pass."""
        return tuple(c for c in self.checks if c.outcome is not PASS)


def verify_document(
    fields: ExtractedFields,
    customer: CustomerFacts,
    *,
    today: date,
    expected_type: CertificateType | None = None,
    min_confidence: float = 0.8,
    policy: Policy | None = None,
    history: Sequence[HeldDocument] = (),
    registry: RegistryAnswer | None = None,
    rules: ConsistencyRules = DEFAULT_RULES,
) -> VerificationResult:
    """Check a read document against the customer and decide its status.

    Parameters:
        fields: what was read from the document.
        customer: the customer's legal name, credit code and purchases.
        today: the date of the check (documents are in force through their last day).
        expected_type: the type the document was uploaded as, if declared.
        min_confidence: below this reading confidence a person reviews the document.
        policy: the credit policy: its coverage rule (``[gate.covers]``) judges the
            scope and its expiry ladder (``warnings.license_expiring``) the reminder;
            None uses the packaged policy.
        history: the customer's accepted documents, to compare with.
        registry: what a registry of issued licences says about the number, if asked.
        rules: the consistency rules a genuine document never breaks.

    Returns:
        The status (EXPIRED, MISMATCH, NEEDS_REVIEW or VERIFIED) and the checks.
    """
    checks = [
        _check_type(fields, expected_type),
        _check_confidence(fields, min_confidence),
        _check_name(fields, customer, min_confidence),
        _check_uscc(fields, customer, min_confidence),
        _check_number(fields),
        _check_validity(fields, today, min_confidence),
        _check_consistency(fields, rules),
        _check_history(fields, history, rules),
        check_registry(fields, registry, min_confidence),
        *fields.signals,
    ]
    policy = policy or packaged_policy()
    rule = policy.gate.covers.get(fields.doc_type.value) if fields.doc_type else None
    if rule is not None and rule.check_scope and rule.required_for:
        checks.append(_check_scope(fields, customer, rule.required_for, policy))
    if fields.notes:
        checks.append(Check("reading", WARN, "; ".join(fields.notes)))
    days = (fields.valid_until - today).days if fields.valid_until else None
    reminder = None
    if days is not None and days >= 0:
        due = [int(rung.at) for rung in policy.warnings.license_expiring if days <= rung.at]
        reminder = min(due) if due else None
    return VerificationResult(
        status=_status(checks),
        checks=tuple(checks),
        confidence=fields.confidence,
        valid_until=fields.valid_until,
        days_to_expiry=days,
        reminder_due=reminder,
    )


def _status(checks: Sequence[Check]) -> DocumentStatus:
    by_name = {c.name: c for c in checks}
    if by_name["validity"].outcome is FAIL:
        return DocumentStatus.EXPIRED
    # A FAIL on these is only ever given for fields read with confidence (see each
    # check); anything less sure is a WARN, which goes to a person instead.
    if any(by_name[n].outcome is FAIL for n in ("holder_name", "uscc", "registry")):
        return DocumentStatus.MISMATCH
    # Anything else uncertain or uncovered (including a scope that does not cover a
    # purchase) is for a person to decide, not a block.
    if any(c.outcome is not PASS for c in checks):
        return DocumentStatus.NEEDS_REVIEW
    return DocumentStatus.VERIFIED


def _check_type(fields: ExtractedFields, expected: CertificateType | None) -> Check:
    if fields.doc_type is None:
        return Check("document_type", WARN, "the document type could not be recognised")
    if expected is not None and fields.doc_type is not expected:
        return Check(
            "document_type",
            WARN,
            f"uploaded as {expected.value} but reads as {fields.doc_type.value}",
        )
    return Check("document_type", PASS, f"{fields.doc_type.value} (engine {fields.engine})")


def _check_confidence(fields: ExtractedFields, min_confidence: float) -> Check:
    outcome = PASS if fields.confidence >= min_confidence else WARN
    return Check(
        "confidence",
        outcome,
        f"reading confidence {fields.confidence:.2f} (threshold {min_confidence:.2f}, engine {fields.engine})",
    )


def _check_name(fields: ExtractedFields, customer: CustomerFacts, min_confidence: float) -> Check:
    if not fields.holder_name:
        return Check("holder_name", WARN, "no holder name was read")
    evidence = evidence_text(fields, "holder_name")
    if names_match(fields.holder_name, customer.legal_name):
        return Check("holder_name", PASS, f"{fields.holder_name}: {evidence}")
    ratio = similarity(fields.holder_name, customer.legal_name)
    detail = (
        f"document names {fields.holder_name!r}, customer is {customer.legal_name!r} "
        f"(similarity {ratio:.2f}); {evidence}"
    )
    sure = field_confidence(fields, "holder_name") >= min_confidence
    if ratio < CLEAR_NAME_MISMATCH and sure and normalize_name(fields.holder_name):
        return Check("holder_name", FAIL, detail)
    # Close names (one or two characters off) are more often an OCR slip than
    # another company: a person decides.
    return Check("holder_name", WARN, detail)


def _check_uscc(fields: ExtractedFields, customer: CustomerFacts, min_confidence: float) -> Check:
    read = normalize_uscc(fields.uscc) if fields.uscc else None
    if read is None:
        if fields.doc_type in USCC_TYPES:
            return Check("uscc", WARN, "no credit code was read")
        return Check("uscc", PASS, "this document type does not print a credit code")
    evidence = evidence_text(fields, "uscc")
    if not is_valid_uscc(read):
        return Check("uscc", WARN, f"{read} fails the GB 32100 checksum (likely misread); {evidence}")
    if not customer.uscc:
        return Check("uscc", WARN, f"{read} read, but the customer has no credit code on file")
    held = normalize_uscc(customer.uscc)
    ev = fields.evidence.get("uscc")
    repaired = ev is not None and read not in normalize_uscc(ev.raw)
    if read == held:
        if repaired:
            # The checksum repair may have turned a changed character back into the
            # customer's code: a match it made is not evidence.
            return Check("uscc", WARN, f"{read} matches the customer only after repairing the reading; {evidence}")
        return Check("uscc", PASS, f"{read} matches the customer's {held}; {evidence}")
    detail = f"document has {read}, customer has {held}; {evidence}"
    if repaired or field_confidence(fields, "uscc") < min_confidence:
        # A code corrected by the checksum could be a lucky wrong correction.
        return Check("uscc", WARN, detail + " (reading repaired or uncertain)")
    return Check("uscc", FAIL, detail)


def _check_number(fields: ExtractedFields) -> Check:
    if not fields.license_number:
        return Check("license_number", WARN, "no licence number was read")
    evidence = evidence_text(fields, "license_number")
    if number_shape_ok(fields.doc_type, fields.license_number):
        if number_repaired(fields):
            return Check(
                "license_number",
                WARN,
                f"{fields.license_number} has the right shape only after replacing look-alike characters; {evidence}",
            )
        return Check("license_number", PASS, f"{fields.license_number} has the shape of its type; {evidence}")
    kind = fields.doc_type.value if fields.doc_type else "unknown type"
    return Check(
        "license_number",
        WARN,
        f"{fields.license_number} does not have the shape of a {kind} number; {evidence}",
    )


def _check_validity(fields: ExtractedFields, today: date, min_confidence: float) -> Check:
    evidence = evidence_text(fields, "valid_until")
    if not dates_ok(fields.valid_from, fields.valid_until):
        return Check(
            "validity",
            WARN,
            f"implausible dates {fields.valid_from} to {fields.valid_until}; {evidence}",
        )
    if fields.valid_from and fields.valid_from > today:
        return Check("validity", WARN, f"not in force until {fields.valid_from}; {evidence}")
    if fields.valid_until is None:
        if fields.long_term:
            return Check("validity", PASS, f"valid without end (长期); {evidence}")
        if fields.doc_type in NO_EXPIRY_TYPES:
            return Check("validity", PASS, "a filing has no expiry date")
        return Check("validity", WARN, "no end of validity was read")
    if fields.valid_until < today:
        if field_confidence(fields, "valid_until") < min_confidence:
            # A misread digit can put a valid licence in the past: only a confident
            # reading blocks; an unsure one goes to a person.
            return Check(
                "validity",
                WARN,
                f"reads as expired on {fields.valid_until}, but not with confidence (threshold "
                f"{min_confidence:.2f}); {evidence}",
            )
        return Check("validity", FAIL, f"expired on {fields.valid_until} (today {today}); {evidence}")
    days = (fields.valid_until - today).days
    return Check("validity", PASS, f"in force until {fields.valid_until} ({days} days); {evidence}")


def _check_scope(
    fields: ExtractedFields, customer: CustomerFacts, required_for: frozenset[str], policy: Policy
) -> Check:
    # Each document answers only for the classes its type is the licence for: a class II
    # filing is not expected to cover class III products (the operation licence does).
    needs = [p for p in customer.purchases if p.device_class.value in required_for]
    if not needs:
        return Check("scope", PASS, "the customer buys nothing this document must cover")
    if not fields.scope_categories and not fields.device_classes:
        return Check("scope", WARN, "the scope could not be read")
    # The order gate's own rule decides, so an upload verified here covers what it sells.
    read_as = Certificate(
        cert_type=fields.doc_type.value if fields.doc_type else "",
        device_classes=tuple(c.value for c in fields.device_classes),
        scope_categories=fields.scope_categories,
        valid_until=fields.valid_until,
    )
    missing = [
        f"class {p.device_class.value} category {p.category or 'any'}"
        for p in needs
        if not covers_line(read_as, p.device_class.value, p.category, policy)
    ]
    read = f"scope classes {[c.value for c in fields.device_classes]} categories {list(fields.scope_categories)}"
    if missing:
        return Check("scope", FAIL, f"not covered: {', '.join(missing)}; {read}")
    if not fields.device_classes:
        return Check("scope", WARN, f"categories covered but classes unread; {read}")
    return Check("scope", PASS, f"covers {len(needs)} purchase kind(s); {read}")


def _check_consistency(fields: ExtractedFields, rules: ConsistencyRules) -> Check:
    found = breaches(fields, rules)
    if not found:
        return Check("consistency", PASS, f"breaks none of the consistency rules (version {rules.version})")
    listed = "; ".join(f"rule {b.rule}: {b.detail}" for b in found)
    return Check("consistency", FAIL, f"{listed} (rules version {rules.version})")


def _check_history(fields: ExtractedFields, held: Sequence[HeldDocument], rules: ConsistencyRules) -> Check:
    if not held:
        return Check("history", PASS, "the customer holds no earlier document to compare with")
    found = contradictions(fields, held, rules)
    if not found:
        kinds = ", ".join(sorted({h.doc_type.value for h in held}))
        return Check("history", PASS, f"agrees with the {len(held)} document(s) held ({kinds})")
    return Check("history", FAIL, "; ".join(f"{c.finding}: {c.detail}" for c in found))
