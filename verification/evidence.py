"""What a document is compared with besides the customer: its history and a registry.

These are plain records. The service loads them (accepted certificates from the store,
a registry record from the imported lists or an outside service) and hands them to
``verify_document``; the package itself never does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from verification.types import CertificateType


@dataclass(frozen=True)
class HeldDocument:
    """A document the customer already holds: an accepted certificate of one type."""

    doc_type: CertificateType
    license_number: str
    holder_name: str | None = None
    uscc: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class RegistryRecord:
    """One issued licence or filing as an authoritative list publishes it."""

    certificate_type: CertificateType
    number: str
    holder_name: str
    uscc: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class RegistryAnswer:
    """What a registry said about a document's number.

    ``record`` is None when the registry was asked and does not list the number
    (registries are partial, so that alone is not a failure). ``source`` names the
    registry (``imported list``, the service's URL) for the check's evidence.
    """

    source: str
    record: RegistryRecord | None
