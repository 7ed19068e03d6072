"""Field extraction from document text: type detection, labels, dates, codes, scope."""

from verification.extraction.detect import detect_type
from verification.extraction.fields import canonical_name, extract_fields, field_valid, key_fields

__all__ = ["canonical_name", "detect_type", "extract_fields", "field_valid", "key_fields"]
