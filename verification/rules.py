"""The verifier's consistency rules, as data: parsed from ``rules.toml``.

The rules themselves (what each one checks) live in ``verification.consistency`` and
``verification.history``; this module only turns the TOML into typed values, so that a
deployment can correct a term or a type list without a code change.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from verification.errors import VerificationError
from verification.types import CertificateType


@dataclass(frozen=True)
class ConsistencyRules:
    """Parsed ``rules.toml``: see the comments there for each rule's legal source."""

    version: str
    max_term_years: Mapping[CertificateType, int]
    number_year_types: frozenset[CertificateType]
    filing_types: frozenset[CertificateType]
    licence_marker: str
    filing_marker: str
    class_three_forbidden: frozenset[CertificateType]
    place_types: frozenset[CertificateType]
    renewal_window_days: int


def _types(section: Mapping[str, Any], key: str, where: str) -> frozenset[CertificateType]:
    try:
        return frozenset(CertificateType(v) for v in section[key])
    except (KeyError, ValueError, TypeError) as exc:
        raise VerificationError(f"rules: {where}.{key} must list certificate types ({exc})") from exc


def parse_rules(data: Mapping[str, Any]) -> ConsistencyRules:
    """Build the rules from a parsed TOML mapping.

    Raises:
        VerificationError: a section or value is missing or of the wrong kind.
    """
    try:
        terms = data["terms"]["max_years"]
        filing = data["filing"]
        return ConsistencyRules(
            version=str(data["version"]),
            max_term_years={CertificateType(k): int(v) for k, v in terms.items()},
            number_year_types=_types(data["number_year"], "types", "number_year"),
            filing_types=_types(filing, "types", "filing"),
            licence_marker=str(filing["licence_marker"]),
            filing_marker=str(filing["filing_marker"]),
            class_three_forbidden=_types(data["class_three"], "forbidden_types", "class_three"),
            place_types=_types(data["place"], "types", "place"),
            renewal_window_days=int(data["history"]["renewal_window_days"]),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise VerificationError(f"rules: missing or invalid entry {exc}") from exc


def load_rules(path: str | Path | None = None) -> ConsistencyRules:
    """Load the rules from ``path``, or the packaged ``rules.toml`` when None."""
    if path is None:
        text = resources.files("verification").joinpath("rules.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    try:
        return parse_rules(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise VerificationError(f"rules: {exc}") from exc


DEFAULT_RULES = load_rules()
