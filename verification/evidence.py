"""What a document is compared with besides the customer: its history and a registry.

These are plain records. The service loads them (accepted certificates from the store,
a registry record from the imported lists or an outside service) and hands them to
``verify_document``; the package itself never does I/O.
"""

from __future__ import annotations

import re
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
    (registries are partial, so that alone is not a failure). ``related`` are the
    registry's other records that bear on the document: the same holder's records of
    the document's type, and records with the same serial under another type.
    ``source`` names the registry (``imported list``, the service's URL) for the
    check's evidence.
    """

    source: str
    record: RegistryRecord | None
    related: tuple[RegistryRecord, ...] = ()


def serial_of(number: str) -> str:
    """Return a regulator number without its kind (经营许 / 经营备 / 生产许, old 食药监 form).

    A filing edited into a licence keeps its place and serial and changes only the kind,
    so equal serials under different types give such an edit away.
    """
    return re.sub(r"食?药监械(?:经营|生产)[许备]", "|", number)
