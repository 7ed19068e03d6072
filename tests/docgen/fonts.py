"""CJK fonts for both renderers.

reportlab cannot embed the CFF-based Noto CJK collections, so text PDFs use
WenQuanYi Zen Hei (TrueType outlines inside a .ttc). Raster scans, drawn with
Pillow/FreeType, rotate between Noto Sans SC, Noto Serif SC and WenQuanYi so OCR
is not tuned to one typeface.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

_WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
_NOTO = "/usr/share/fonts/opentype/noto/"

PDF_FONT = "WenQuanYiZenHei"

# family -> (regular path, index, bold path, index); index 2 is the SC face of Noto.
RASTER_FAMILIES: dict[str, tuple[str, int, str, int]] = {
    "sans": (_NOTO + "NotoSansCJK-Regular.ttc", 2, _NOTO + "NotoSansCJK-Bold.ttc", 2),
    "serif": (_NOTO + "NotoSerifCJK-Regular.ttc", 2, _NOTO + "NotoSerifCJK-Bold.ttc", 2),
    "wqy": (_WQY, 0, _WQY, 0),
}


def register_pdf_font() -> str:
    """Register the PDF font with reportlab once and return its name."""
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(PDF_FONT, _WQY, subfontIndex=0))
    return PDF_FONT


def pdf_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of ``text`` set in the PDF font."""
    return pdfmetrics.stringWidth(text, register_pdf_font(), size)


@lru_cache(maxsize=256)
def pil_font(family: str, bold: bool, px: int) -> ImageFont.FreeTypeFont:
    """Return a cached Pillow font of ``px`` pixels em size."""
    path, index, bold_path, bold_index = RASTER_FAMILIES[family]
    if bold:
        return ImageFont.truetype(bold_path, px, index=bold_index)
    return ImageFont.truetype(path, px, index=index)
