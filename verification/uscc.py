"""The unified social credit code (统一社会信用代码, GB 32100-2015).

The checksum lets the verifier tell an OCR misread from a real mismatch, so it is
checked everywhere a code enters the system. python-stdnum implements both the
GB 32100 check character and the embedded GB 11714 organisation-code check.
"""

from stdnum.cn import uscc as _stdnum_uscc
from stdnum.exceptions import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_uscc(code: str) -> str:
    """Return the code upper-cased with spaces and separators removed."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def is_valid_uscc(code: str) -> bool:
    """Tell whether ``code`` is a well-formed credit code whose check characters hold."""
    try:
        _stdnum_uscc.validate(normalize_uscc(code))
    except ValidationError:
        return False
    return True


def uscc_check_character(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a code.

    Used by the test-document generator to make valid codes, and by the OCR
    correction step to test a candidate reading.
    """
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]
