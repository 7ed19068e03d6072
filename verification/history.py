"""Does the document agree with what the customer already holds?

A forgery made from the customer's own licence (a digit changed, an end date pushed
out, a filing turned into a licence) leaves no trace on the page, but it contradicts
the customer's earlier, accepted documents. Each contradiction is named; none is
silently accepted, and each sends the document to a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from verification.evidence import HeldDocument, serial_of
from verification.normalize import names_match
from verification.rules import ConsistencyRules
from verification.types import ExtractedFields
from verification.uscc import normalize_uscc


@dataclass(frozen=True)
class Contradiction:
    """One way the document contradicts a held one: a named finding and what was compared."""

    finding: str
    detail: str


def contradictions(
    fields: ExtractedFields, held: Sequence[HeldDocument], rules: ConsistencyRules
) -> list[Contradiction]:
    """Return every way the document contradicts the customer's held documents."""
    found: list[Contradiction] = []
    number = fields.license_number
    for h in held:
        if h.doc_type is not fields.doc_type:
            if number and "|" in serial_of(number) and serial_of(number) == serial_of(h.license_number):
                found.append(
                    Contradiction(
                        "type_changed",
                        f"the customer holds {h.doc_type.value} {h.license_number}; this "
                        f"{fields.doc_type.value if fields.doc_type else 'document'} {number} has the same serial",
                    )
                )
            continue
        found.extend(_same_type(fields, h, rules))
    return found


def _same_type(fields: ExtractedFields, h: HeldDocument, rules: ConsistencyRules) -> list[Contradiction]:
    found = []
    number, start, end = fields.license_number, fields.valid_from, fields.valid_until
    held = f"held {h.doc_type.value} {h.license_number} ({h.valid_from} to {h.valid_until or 'no end'})"
    if number and number != h.license_number:
        if start is None or h.valid_from is None or start <= h.valid_from:
            found.append(
                Contradiction("number_changed", f"number {number} issued {start}, without a new issue date; {held}")
            )
    elif number == h.license_number and end is not None and h.valid_until is not None and end != h.valid_until:
        if start is None or h.valid_from is None or start == h.valid_from:
            found.append(
                Contradiction("end_moved", f"end {end} without a new issue date (issued {start}); {held}")
            )
        elif start > h.valid_from and (h.valid_until - start).days > rules.renewal_window_days:
            found.append(
                Contradiction(
                    "renewal_too_early",
                    f"end moved to {end} by an issue date {start}, {(h.valid_until - start).days} days before the "
                    f"held term ends (a renewal comes within {rules.renewal_window_days}); {held}",
                )
            )
    if fields.holder_name and h.holder_name and not names_match(fields.holder_name, h.holder_name):
        found.append(Contradiction("holder_changed", f"holder {fields.holder_name}, accepted {h.holder_name}; {held}"))
    if fields.uscc and h.uscc and normalize_uscc(fields.uscc) != normalize_uscc(h.uscc):
        found.append(Contradiction("uscc_changed", f"credit code {fields.uscc}, accepted {h.uscc}; {held}"))
    return found
