"""Licence facts: which certificates are in force, what they cover, and the summary status.

Coverage rule (configurable in ``[gate.covers]``): a certificate covers an order line
when its type has a cover rule listing the line's device class, the certificate's own
``device_classes`` (if it lists any) include that class, and, if the rule checks scope,
one of its ``scope_categories`` matches the line's category. Categories match when equal
after trimming and upper-casing, or when the line's category is a sub-code of the scope
entry (scope ``"06"`` covers ``"06-01"``); ``"6840"`` matches ``"6840"`` only.

A certificate is *in force* when its status is accepted (``verified``) and it has not
expired; it is *expired* when its status says so or ``valid_until`` is before the day
(``valid_until`` is the last valid day; None means no end, e.g. 长期 or class II filings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from scoring.codes import QualificationStatus
from scoring.policy import Policy


@dataclass(frozen=True, slots=True)
class Certificate:
    """A customer's qualification document as the gate sees it.

    ``cert_type`` and ``status`` are the lower-case values of
    ``verification.types.CertificateType`` / ``DocumentStatus``; ``device_classes`` are
    ``"I"``, ``"II"``, ``"III"``.
    """

    cert_type: str
    device_classes: tuple[str, ...]
    scope_categories: tuple[str, ...]
    valid_until: date | None
    status: str = "verified"


def _norm(category: str) -> str:
    return category.strip().upper()


def category_in_scope(category: str, scope: Iterable[str]) -> bool:
    """Whether a product category is within a licence's business scope.

    Parameters:
        category: the order line's catalogue code, e.g. ``"06"`` or ``"6840"``.
        scope: the licence's scope categories.

    Returns:
        True when an entry equals the category or is its parent code (``"06"`` -> ``"06-01"``).
    """
    wanted = _norm(category)
    for entry in scope:
        code = _norm(entry)
        if code and (wanted == code or wanted.startswith(code + "-")):
            return True
    return False


def is_expired(cert: Certificate, as_of: date, policy: Policy) -> bool:
    """Whether the certificate has expired on ``as_of`` (by status or by date).

    Parameters:
        cert: the certificate.
        as_of: the day of the decision.
        policy: the credit policy (``gate.expired_statuses``).

    Returns:
        True when expired.
    """
    if cert.status in policy.gate.expired_statuses:
        return True
    return cert.valid_until is not None and cert.valid_until < as_of


def is_in_force(cert: Certificate, as_of: date, policy: Policy) -> bool:
    """Whether the certificate counts as held and valid on ``as_of``.

    Parameters:
        cert: the certificate.
        as_of: the day of the decision.
        policy: the credit policy (``gate.accepted_statuses``).

    Returns:
        True when its status is accepted and it has not expired.
    """
    return cert.status in policy.gate.accepted_statuses and not is_expired(cert, as_of, policy)


def expiry_horizon_days(policy: Policy) -> int:
    """How many days ahead a licence's end date matters: the widest expiry-ladder rung
    or the gate's EXPIRING window, whichever reaches further (90 as shipped)."""
    rungs = [int(rung.at) for rung in policy.warnings.license_expiring]
    return max([policy.gate.expiring_within_days, *rungs])


def covers_class(cert: Certificate, device_class: str, policy: Policy) -> bool:
    """Whether the certificate's type (and its listed classes) allow ``device_class``.

    Parameters:
        cert: the certificate.
        device_class: ``"I"``, ``"II"`` or ``"III"``.
        policy: the credit policy (``gate.covers``).

    Returns:
        True when the class is allowed; scope is not checked here.
    """
    rule = policy.gate.covers.get(cert.cert_type)
    if rule is None or device_class not in rule.classes:
        return False
    return not cert.device_classes or device_class in cert.device_classes


def covers_line(cert: Certificate, device_class: str, category: str | None, policy: Policy) -> bool:
    """Whether the certificate covers a class and category, ignoring validity.

    The one coverage rule: the order gate applies it to order lines and verification to
    an upload's scope against what the customer buys.

    Parameters:
        cert: the certificate.
        device_class: ``"I"``, ``"II"`` or ``"III"``.
        category: catalogue code of the product; None when only the class is known.
        policy: the credit policy.

    Returns:
        True when class and (if the rule checks it and a category is given) scope are covered.
    """
    if not covers_class(cert, device_class, policy):
        return False
    rule = policy.gate.covers[cert.cert_type]
    return not rule.check_scope or category is None or category_in_scope(category, cert.scope_categories)


def _licences(certificates: Sequence[Certificate], policy: Policy) -> list[Certificate]:
    return [c for c in certificates if c.cert_type in policy.gate.covers]


def license_days_to_expiry(certificates: Sequence[Certificate], as_of: date, policy: Policy) -> int | None:
    """Days until the first in-force licence with an end date expires.

    Parameters:
        certificates: the customer's certificates.
        as_of: the day.
        policy: the credit policy.

    Returns:
        ``min(valid_until - as_of)`` over in-force licences (0 = last valid day), or None
        when no in-force licence has an end date.
    """
    days = [
        (c.valid_until - as_of).days
        for c in _licences(certificates, policy)
        if c.valid_until is not None and is_in_force(c, as_of, policy)
    ]
    return min(days) if days else None


def has_expired_license(certificates: Sequence[Certificate], as_of: date, policy: Policy) -> bool:
    """Whether some licence type has expired without an in-force replacement of that type.

    Parameters:
        certificates: the customer's certificates, old and new.
        as_of: the day.
        policy: the credit policy.

    Returns:
        True when a licence type is only held in expired form.
    """
    licences = _licences(certificates, policy)
    in_force = {c.cert_type for c in licences if is_in_force(c, as_of, policy)}
    return any(is_expired(c, as_of, policy) and c.cert_type not in in_force for c in licences)


def qualification_status(certificates: Sequence[Certificate], as_of: date, policy: Policy) -> QualificationStatus:
    """Summarise the customer's licences for the scorecard.

    Only certificate types with a cover rule count as licences (a business licence alone
    qualifies for nothing beyond class I). Class-I-only buyers therefore show MISSING;
    the scorecard weight of that is small and the gate does not hold them.

    Parameters:
        certificates: the customer's certificates.
        as_of: the day.
        policy: the credit policy (``gate.expiring_within_days``).

    Returns:
        EXPIRED if a licence type is held only in expired form; otherwise EXPIRING if an
        in-force licence ends within ``gate.expiring_within_days``; VALID if any licence
        is in force; MISSING when none is.
    """
    if has_expired_license(certificates, as_of, policy):
        return QualificationStatus.EXPIRED
    days = license_days_to_expiry(certificates, as_of, policy)
    if days is not None and days <= policy.gate.expiring_within_days:
        return QualificationStatus.EXPIRING
    if any(is_in_force(c, as_of, policy) for c in _licences(certificates, policy)):
        return QualificationStatus.VALID
    return QualificationStatus.MISSING
