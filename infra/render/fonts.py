"""The CJK font the PDFs embed (reportlab cannot embed the CFF-based Noto CJK collections)."""

from __future__ import annotations

import os
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# Debian's fonts-wqy-zenhei (installed by scripts/bootstrap.sh): TrueType outlines, embeddable.
DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT_NAME = "MedcreditCJK"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the embedded CJK font once (``MEDCREDIT_CJK_FONT`` overrides its path); returns its name."""
    path = os.environ.get("MEDCREDIT_CJK_FONT") or DEFAULT_FONT
    pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
    return FONT_NAME


def font_path() -> str:
    """The CJK font file, for matplotlib's charts."""
    return os.environ.get("MEDCREDIT_CJK_FONT") or DEFAULT_FONT
