"""Valid unified social credit codes for tests, built with both check characters."""

from __future__ import annotations

import random

from verification.uscc import ALPHABET, uscc_check_character

_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def make_uscc(rng: random.Random) -> str:
    """Return a random code whose GB 11714 and GB 32100 check characters both hold."""
    region = f"{rng.choice(['11', '31', '32', '44'])}{rng.randint(0, 9999):04d}"
    org8 = "".join(rng.choice(_ORG_ALPHABET[:10] + "ABCDEFGH") for _ in range(8))
    check = 11 - sum(_org_value(c) * w for c, w in zip(org8, _ORG_WEIGHTS, strict=True)) % 11
    org_check = {10: "X", 11: "0"}.get(check, str(check))
    first17 = "91" + region + org8 + org_check
    if any(ch not in ALPHABET for ch in first17):
        return make_uscc(rng)
    return first17 + uscc_check_character(first17)
