"""The ground truth of one generated document: what a perfect reader would extract."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

DOC_TYPES: tuple[str, ...] = (
    "business_license",
    "operation_license",
    "class2_filing",
    "production_license",
    "registration_certificate",
    "medical_institution_license",
)

# Printed titles; the key names above are the ``doc_type`` values used across medcredit.
TITLES: dict[str, str] = {
    "business_license": "营业执照",
    "operation_license": "医疗器械经营许可证",
    "class2_filing": "第二类医疗器械经营备案凭证",
    "production_license": "医疗器械生产许可证",
    "registration_certificate": "医疗器械注册证",
    "medical_institution_license": "医疗机构执业许可证",
}


@dataclass(frozen=True)
class Truth:
    """Fields as printed on the document.

    ``license_number`` is the document's own number (for a business licence, the
    credit code). ``uscc`` is the holder's credit code only when the document prints
    it. ``valid_until`` is None for 长期 and for filings, which never expire.
    ``valid_from`` is the start of validity: 发证日期/备案日期/批准日期, the start
    of 有效期限, or for a business licence the start of 营业期限 (成立日期).
    """

    doc_type: str
    license_number: str
    holder_name: str | None
    uscc: str | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    issuing_authority: str | None
    scope_categories: tuple[str, ...]
    device_classes: tuple[str, ...]

    def to_json_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with ISO dates and lists for the tuples."""
        return {
            "doc_type": self.doc_type,
            "license_number": self.license_number,
            "holder_name": self.holder_name,
            "uscc": self.uscc,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "issuing_authority": self.issuing_authority,
            "scope_categories": list(self.scope_categories),
            "device_classes": list(self.device_classes),
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Truth:
        """Inverse of :meth:`to_json_dict`, for reading a saved ``truth.json``."""

        def _date(value: str | None) -> datetime.date | None:
            return datetime.date.fromisoformat(value) if value else None

        return cls(
            doc_type=data["doc_type"],
            license_number=data["license_number"],
            holder_name=data["holder_name"],
            uscc=data["uscc"],
            valid_from=_date(data["valid_from"]),
            valid_until=_date(data["valid_until"]),
            issuing_authority=data["issuing_authority"],
            scope_categories=tuple(data["scope_categories"]),
            device_classes=tuple(data["device_classes"]),
        )
