"""Text normalisation for comparing names and for reading OCR output."""

from __future__ import annotations

import re
import unicodedata

_SPACE_RE = re.compile(r"\s+")
# NFKC maps full-width ASCII to half-width, but CJK brackets and a few punctuation
# marks have no compatibility decomposition, so they are mapped by hand.
_PUNCT_MAP = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "【": "(",
        "】": ")",
        "〔": "(",
        "〕": ")",
        "［": "(",
        "］": ")",
        "[": "(",
        "]": ")",
        "：": ":",
        "，": ",",
        "；": ";",
        "。": ".",
        "、": ",",
        "—": "-",
        "－": "-",
        "–": "-",
        "·": "·",
        "•": "·",
        "・": "·",
    }
)
_CJK_RE = r"[\u3400-\u9fff\uf900-\ufaff:;,()]"
_CJK_GAP_RE = re.compile(rf"(?<={_CJK_RE})[ \t\u3000]+(?={_CJK_RE})")


def nfkc(text: str) -> str:
    """Return NFKC-normalised text with CJK brackets and punctuation made half-width."""
    return unicodedata.normalize("NFKC", text).translate(_PUNCT_MAP)


def normalize_name(name: str) -> str:
    """Return a company or institution name in its comparison form.

    Full-width and half-width forms, Chinese and Latin brackets and all white space are
    made equal, and Latin letters are upper-cased, so that ``南京康泰（集团）有限公司`` and
    ``南京康泰 (集团) 有限公司`` compare equal.
    """
    return _SPACE_RE.sub("", nfkc(name)).upper()


def names_match(a: str, b: str) -> bool:
    """Tell whether two names are the same after normalisation."""
    return normalize_name(a) == normalize_name(b)


def clean_ocr_line(line: str) -> str:
    """Return an OCR line in half-width form with spaces between CJK characters removed.

    OCR engines (tesseract especially) put spaces between Chinese characters; a space
    between two Latin words is kept.
    """
    text = nfkc(line).replace("\u3000", " ")
    text = _CJK_GAP_RE.sub("", text)
    return _SPACE_RE.sub(" ", text).strip()


def similarity(a: str, b: str) -> float:
    """Return a 0..1 similarity of two normalised names (1 = equal)."""
    from difflib import SequenceMatcher

    na, nb = normalize_name(a), normalize_name(b)
    if not na and not nb:
        return 1.0
    return SequenceMatcher(None, na, nb).ratio()
