"""Editing a genuine text PDF the way an ordinary tool does: cover a value with a white
box and paste the new value over it as an image (a "screenshot" patch), saved either as
an incremental update or rewritten whole. The text layer keeps the old value."""

from __future__ import annotations

import io

import pdfplumber
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from .fonts import pil_font


def cover_and_paste(pdf: bytes, old: str, new: str, *, incremental: bool) -> bytes:
    """Return ``pdf`` with the first occurrence of ``old`` painted over by ``new``."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        hit = page.search(old, regex=False)[0]
        width, height = float(page.width), float(page.height)
    x0, top, x1, bottom = hit["x0"], hit["top"], hit["x1"], hit["bottom"]
    box_h = bottom - top
    # The patch: the new text rasterised at 4 px per point, black on white.
    scale = 4
    patch = Image.new("RGB", (int((x1 - x0) * scale) + 8, int(box_h * scale) + 4), "white")
    font = pil_font("wqy", False, int(box_h * scale * 0.9))
    ImageDraw.Draw(patch).text((2, 0), new, fill=(0, 0, 0), font=font)
    overlay = io.BytesIO()
    c = canvas.Canvas(overlay, pagesize=(width, height))
    c.setFillColorRGB(1, 1, 1)
    c.rect(x0 - 1, height - bottom - 1, x1 - x0 + 2, box_h + 2, stroke=0, fill=1)
    c.drawImage(ImageReader(patch), x0, height - bottom, width=patch.width / scale, height=patch.height / scale)
    c.save()
    stamp = PdfReader(io.BytesIO(overlay.getvalue())).pages[0]
    if incremental:
        writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    else:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.pages[0].merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
