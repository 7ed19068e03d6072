"""PDF renderings: a text-layer PDF, image-only PDFs, and deliberately bad inputs."""

from __future__ import annotations

import io
import random
import zipfile

from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from .fonts import pdf_width, register_pdf_font
from .layout import DocLayout, build_layout
from .page import compose
from .seal import seal_image
from .truth import Truth

PASSWORD = "medcredit"


def _new_canvas(buf: io.BytesIO, width: float, height: float) -> canvas.Canvas:
    # invariant=1 drops the timestamp and random document id, so a seed gives the same bytes.
    return canvas.Canvas(buf, pagesize=(width, height), invariant=1, pageCompression=1)


def render_text_pdf(truth: Truth | DocLayout, rng: random.Random) -> bytes:
    """Render the document as a one-page PDF with a real (extractable) text layer.

    A ``DocLayout`` instead of a ``Truth`` renders a page that is not a licence.
    """
    font = register_pdf_font()
    layout = truth if isinstance(truth, DocLayout) else build_layout(truth, rng)
    page = compose(layout, pdf_width, rng)
    buf = io.BytesIO()
    c = _new_canvas(buf, page.width, page.height)
    c.setTitle(truth.doc_type if isinstance(truth, Truth) else "document")
    h = page.height
    for ln in page.lines:
        c.setLineWidth(ln.width)
        c.line(ln.x0, h - ln.y0, ln.x1, h - ln.y1)
    for t in page.texts:
        # WenQuanYi has no bold face: fill and stroke the outlines instead. Text render
        # mode is graphics state that reportlab does not reset, hence save/restore.
        c.saveState()
        text = c.beginText(t.x, h - t.baseline)
        text.setFont(font, t.size)
        if t.bold:
            text.setTextRenderMode(2)
            c.setLineWidth(t.size * 0.03)
        text.textOut(t.text)
        c.drawText(text)
        c.restoreState()
    # The seal is an image, as in electronic licences, so its ring text stays out of
    # the text layer just as it would in a real issuer's PDF.
    radius_px = round(page.seal_radius * 300 / 72)
    seal = seal_image(page.seal_text, page.seal_bottom, radius_px, rng)
    seal = seal.rotate(rng.uniform(-20, 20), resample=Image.Resampling.BICUBIC)
    size = seal.width * 72 / 300
    cx, cy = page.seal_center
    c.drawImage(ImageReader(seal), cx - size / 2, h - cy - size / 2, size, size, mask="auto")
    c.showPage()
    c.save()
    return buf.getvalue()


def blank_pdf() -> bytes:
    """A one-page A4 PDF with nothing on it."""
    buf = io.BytesIO()
    c = _new_canvas(buf, 595.0, 842.0)
    c.showPage()
    c.save()
    return buf.getvalue()


def image_pdf(image_bytes: bytes, dpi: float | None = None) -> bytes:
    """Wrap a raster (PNG/JPEG bytes) into a one-page PDF without a text layer.

    The page size follows the image's dpi (or ``dpi``, or fits A4 width) so the
    result looks like a scanner's PDF output.
    """
    img = Image.open(io.BytesIO(image_bytes))
    res = dpi or float(img.info.get("dpi", (0, 0))[0] or 0) or img.width / 8.27
    width, height = img.width * 72 / res, img.height * 72 / res
    buf = io.BytesIO()
    c = _new_canvas(buf, width, height)
    # Passing the original bytes lets reportlab embed a JPEG as-is (no re-encoding).
    c.drawImage(ImageReader(io.BytesIO(image_bytes)), 0, 0, width, height)
    c.showPage()
    c.save()
    return buf.getvalue()


def encrypted_pdf(password: str = PASSWORD) -> bytes:
    """A password-protected PDF (pypdf reports ``is_encrypted``)."""
    from .fields import make_truth

    rng = random.Random("encrypted")
    source = PdfReader(io.BytesIO(render_text_pdf(make_truth("operation_license", rng), rng)))
    writer = PdfWriter()
    for p in source.pages:
        writer.add_page(p)
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def corrupt_pdf() -> bytes:
    """Bytes that start like a PDF but are truncated and garbled (no xref, no %%EOF)."""
    from .fields import make_truth

    rng = random.Random("corrupt")
    data = bytearray(render_text_pdf(make_truth("business_license", rng), rng))
    data = data[: len(data) * 2 // 5]
    for i in range(400, len(data), 97):  # flip bytes past the header
        data[i] ^= 0x5A
    return bytes(data)


def not_a_document(kind: str = "zip") -> bytes:
    """Something uploaded by mistake: a ZIP archive (``kind="zip"``) or plain text."""
    if kind == "text":
        return "客户资料清单\n1. 营业执照（待补）\n2. 经营许可证（待补）\n".encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("readme.txt", date_time=(2024, 1, 1, 0, 0, 0))
        zf.writestr(info, "not a licence")
    return buf.getvalue()
