"""Finding credit codes and licence numbers in OCR text, with checksum-guided repair.

OCR confuses look-alike characters (O/0, I/1, Z/2, S/5, B/8, G/6). The credit code's
two check characters tell a right reading from a wrong one, so every plausible
substitution is tried and only a reading whose checksum holds is accepted.
"""

from __future__ import annotations

import itertools
import re

from verification.uscc import ALPHABET, is_valid_uscc
from verification.validators import PROVINCES

# Characters OCR produces for each alphabet character (and the reverse): a reading is
# repaired by trying the alternatives at each ambiguous position.
_CONFUSIONS: dict[str, str] = {
    "0": "ODQU",
    "O": "0DQ",
    "D": "0O",
    "Q": "0O",
    "U": "0V",
    "1": "IL7T",
    "I": "1L",
    "L": "1I",
    "T": "17",
    "7": "1T",
    "2": "Z",
    "Z": "2",
    "5": "S",
    "S": "5",
    "8": "B3",
    "B": "8",
    "3": "8",
    "6": "G",
    "G": "6",
    "4": "A",
    "A": "4",
    "V": "UY",
    "Y": "V",
}
# The usual OCR look-alikes cost 1; rarer ones cost 2, so that when two readings pass
# the checksum the likelier substitution wins.
_COMMON = {frozenset(p) for p in ("O0", "D0", "I1", "L1", "Z2", "S5", "B8", "G6")}


def _cost(read: str, true: str) -> int:
    return sum(0 if a == b else (1 if frozenset((a, b)) in _COMMON else 2) for a, b in zip(read, true, strict=True))


_CANDIDATE_RE = re.compile(r"[0-9A-Za-z]{16,20}")


def uscc_variants(raw: str, *, max_optional: int = 1) -> list[str]:
    """Return checksum-valid readings of an 18-character OCR token, fewest changes first.

    Characters outside the alphabet (I, O, Z, S, V) and letters in the all-digit
    division code must be replaced; at most ``max_optional`` other characters may be
    swapped for a look-alike. The bound matters: with many free swaps some wrong
    reading passes the checksum by chance.
    """
    token = raw.upper()
    if len(token) != 18:
        return []
    if is_valid_uscc(token):
        return [token]
    forced: list[list[str]] = []
    optional: list[list[str]] = []
    for pos, ch in enumerate(token):
        alts = [a for a in _CONFUSIONS.get(ch, "") if a in ALPHABET]
        if 2 <= pos <= 7:  # the administrative-division code is all digits
            alts = [a for a in alts if a.isdigit()]
        keep = ch in ALPHABET and not (2 <= pos <= 7 and not ch.isdigit())
        if not keep and not alts:
            return []
        forced.append(alts if not keep else [ch])
        optional.append(alts if keep else [])
    found: set[tuple[int, str]] = set()
    for base in itertools.product(*forced):
        chars = list(base)
        for cand in _one_swap(chars, optional, max_optional):
            if is_valid_uscc(cand):
                found.add((_cost(token, cand), cand))
    return [c for _, c in sorted(found)]


def _one_swap(chars: list[str], optional: list[list[str]], max_optional: int) -> list[str]:
    out = ["".join(chars)]
    if max_optional < 1:
        return out
    for pos, alts in enumerate(optional):
        for alt in alts:
            out.append("".join(chars[:pos]) + alt + "".join(chars[pos + 1 :]))
    return out


def repair_uscc(raw: str) -> str | None:
    """Return the unique best checksum-valid reading of a credit-code token, or None.

    A token one character too long or short is also tried with one character removed
    or is given up on; two equally close valid readings are ambiguous and give None.
    """
    compact = re.sub(r"[^0-9A-Za-z]", "", raw).upper()
    tokens = [compact]
    if len(compact) == 19:
        tokens = [compact[:i] + compact[i + 1 :] for i in range(19)]
    best: list[tuple[int, str]] = []
    for token in tokens:
        for candidate in uscc_variants(token)[:2]:
            changes = _cost(token, candidate) + 2 * (len(compact) - 18)
            best.append((changes, candidate))
    if not best:
        return None
    best = sorted(set(best))
    if len(best) > 1 and best[0][0] == best[1][0] and best[0][1] != best[1][1]:
        return None
    return best[0][1]


def find_uscc(text: str, *, repair: bool = True) -> tuple[str | None, str]:
    """Find a credit code in free text.

    Parameters:
        text: the text to search.
        repair: try look-alike substitutions guided by the checksum (OCR text); a
            text layer is exact and is not repaired.

    Returns:
        (code or None, the raw token it was read from or ""). A code is returned
        only if its checksum holds, except that an unrepairable 18-character token
        is returned as read so the caller can report the bad checksum.
    """
    compact = re.sub(r"(?<=[0-9A-Za-z])[ \t](?=[0-9A-Za-z])", "", text)
    fallback: tuple[str | None, str] = (None, "")
    for m in _CANDIDATE_RE.finditer(compact):
        token = m.group(0).upper()
        if is_valid_uscc(token):
            return token, m.group(0)
        fixed = repair_uscc(token) if repair else None
        if fixed:
            return fixed, m.group(0)
        if len(token) == 18 and fallback[0] is None:
            fallback = (token, m.group(0))
    return fallback


# Licence numbers: the fixed middle part (药监械经营许 …) anchors the search; OCR
# misreads of the digits are repaired, the province character is kept as read.
_DIGIT_FIX = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "Q": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "Z": "2",
        "z": "2",
        "S": "5",
        "s": "5",
        "B": "8",
        "G": "6",
        "b": "6",
        "g": "9",
        "T": "7",
    }
)
_D = r"[0-9OoDQIl|ZzSsBGbgT]"
_PROVINCE_NUMBER_RE = re.compile(
    rf"([{PROVINCES}][\u4e00-\u9fff]{{0,2}}?)\s*(食?)\s*药\s*监\s*械\s*"
    rf"(经\s*营\s*许|经\s*营\s*备|生\s*产\s*许)\s*((?:{_D}\s*){{8}})\s*[号呈弓]?"
)
_REGISTRATION_RE = re.compile(rf"([国{PROVINCES}])\s*械\s*注\s*([准进许])\s*((?:{_D}\s*){{11}})")
_OLD_REGISTRATION_RE = re.compile(
    rf"([国{PROVINCES}])\s*食?\s*药\s*监\s*械\s*\(\s*([准进许])\s*\)\s*字\s*"
    rf"((?:{_D}\s*){{4}})\s*第\s*((?:{_D}\s*){{7}})\s*号"
)


def _digits(text: str) -> str:
    return re.sub(r"\s", "", text).translate(_DIGIT_FIX)


def find_regulator_number(text: str) -> list[tuple[str, str]]:
    """Find licence, filing and registration numbers issued by drug regulators.

    Returns:
        (normalised number, raw text) pairs in reading order.
    """
    found: list[tuple[int, str, str]] = []
    for m in _PROVINCE_NUMBER_RE.finditer(text):
        kind = re.sub(r"\s", "", m.group(3))
        number = f"{m.group(1)}{m.group(2)}药监械{kind}{_digits(m.group(4))}号"
        found.append((m.start(), number, m.group(0)))
    for m in _REGISTRATION_RE.finditer(text):
        number = f"{m.group(1)}械注{m.group(2)}{_digits(m.group(3))}"
        found.append((m.start(), number, m.group(0)))
    for m in _OLD_REGISTRATION_RE.finditer(text):
        number = f"{m.group(1)}食药监械({m.group(2)})字{_digits(m.group(3))}第{_digits(m.group(4))}号"
        found.append((m.start(), number, m.group(0)))
    found.sort()
    return [(n, raw) for _, n, raw in found]


_INSTITUTION_RE = re.compile(r"[0-9A-Z][0-9A-Z \-]{14,30}[0-9A-Z]")


def find_institution_number(text: str) -> tuple[str, str] | None:
    """Find a medical-institution registration number (登记号) in labelled text."""
    for m in _INSTITUTION_RE.finditer(text.upper()):
        compact = re.sub(r"[ \-]", "", m.group(0))
        if 16 <= len(compact) <= 26 and sum(c.isdigit() for c in compact) >= 6:
            return compact, m.group(0)
    return None
