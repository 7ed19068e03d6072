"""Raster renderings: a clean page image, and ``render_scan`` for all scan qualities."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw

from . import degrade
from .fonts import RASTER_FAMILIES, pil_font
from .layout import DocLayout, build_layout
from .page import Box, Page, compose
from .seal import SEAL_RED, seal_image
from .truth import Truth

Quality = Literal["clean", "degraded", "photo"]
QUALITIES: tuple[str, ...] = ("clean", "degraded", "photo")

# 215-245 dpi puts 10.5-12 pt body text at 31-41 px per em: large enough for a good OCR
# engine, yet a realistic office-scanner resolution.
_DPI_RANGE = (215.0, 245.0)


@dataclass(frozen=True)
class ScanGeometry:
    """Where a drawn page ended up in a scan: for editing a rendered scan afterwards."""

    page: Page
    scale: float  # pixels per point on the drawn page
    matrix: np.ndarray  # 3x3, drawn-page pixels -> pixels of the final image


# An edit applied to the drawn page (seal included) before any degradation.
PageEdit = Callable[[Image.Image, Page, float], Image.Image]


def render_page(
    truth: Truth | DocLayout, rng: random.Random, dpi: float | None = None
) -> tuple[Image.Image, Page, float]:
    """Draw the document as black-on-white RGB; return the image, its Page and px per pt.

    A ``DocLayout`` instead of a ``Truth`` draws a page that is not a licence.
    """
    scale = (dpi or rng.uniform(*_DPI_RANGE)) / 72.0
    family = rng.choice(sorted(RASTER_FAMILIES))

    def measure(text: str, size: float, bold: bool) -> float:
        return pil_font(family, bold, round(size * scale)).getlength(text) / scale

    layout = truth if isinstance(truth, DocLayout) else build_layout(truth, rng)
    page = compose(layout, measure, rng)
    page.font_family = family
    img = Image.new("RGB", (round(page.width * scale), round(page.height * scale)), "white")
    draw = ImageDraw.Draw(img)
    for ln in page.lines:
        draw.line(
            (ln.x0 * scale, ln.y0 * scale, ln.x1 * scale, ln.y1 * scale),
            fill=(0, 0, 0),
            width=max(1, round(ln.width * scale)),
        )
    for t in page.texts:
        font = pil_font(family, t.bold, round(t.size * scale))
        draw.text((t.x * scale, t.baseline * scale), t.text, font=font, fill=(0, 0, 0), anchor="ls")
    return img, page, scale


def stamp_seal(
    img: Image.Image, page: Page, scale: float, rng: random.Random, center: tuple[float, float] | None = None
) -> Image.Image:
    """Blend the issuer's seal multiplicatively (ink over toner) at ``center`` in points."""
    cx, cy = center or page.seal_center
    radius = round(page.seal_radius * scale)
    seal = seal_image(page.seal_text, page.seal_bottom, radius, rng)
    seal = seal.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
    x0, y0 = round(cx * scale) - seal.width // 2, round(cy * scale) - seal.height // 2
    # Clip the seal to the image so a seal near an edge does not fail, and blend only
    # the region it covers (the whole page in float would be slow).
    base = np.array(img, dtype=np.uint8)
    sx0, sy0 = max(0, -x0), max(0, -y0)
    dx0, dy0 = max(0, x0), max(0, y0)
    w = min(seal.width - sx0, base.shape[1] - dx0)
    h = min(seal.height - sy0, base.shape[0] - dy0)
    if w <= 0 or h <= 0:
        return img
    alpha = np.asarray(seal.getchannel("A"), dtype=np.float32)[sy0 : sy0 + h, sx0 : sx0 + w] / 255.0
    red = np.array(SEAL_RED, dtype=np.float32) / 255.0
    region = base[dy0 : dy0 + h, dx0 : dx0 + w].astype(np.float32)
    region *= 1.0 - alpha[..., None] * (1.0 - red)
    base[dy0 : dy0 + h, dx0 : dx0 + w] = np.clip(region, 0, 255).astype(np.uint8)
    return Image.fromarray(base)


def seal_over_text(page: Page, rng: random.Random) -> tuple[float, float]:
    """Pick a seal centre that half-covers the holder name or a date line."""
    keys = [k for k in ("holder_name", "valid_from", "validity", "valid_until") if k in page.boxes]
    box: Box = page.boxes[rng.choice(keys)] if keys else (0, 0, 0, 0)
    if box == (0, 0, 0, 0):
        return page.seal_center
    x0, y0, x1, y1 = box
    # Centre the seal beside the end of the value so the ring crosses the text, not the
    # star: a human can still read it, as on real stamped copies.
    return (min(x1, page.width - 90) + rng.uniform(-10, 40), (y0 + y1) / 2 + rng.uniform(-12, 12))


def encode(img: Image.Image, fmt: str, quality: int = 90, dpi: float | None = None) -> bytes:
    """Encode to PNG or JPEG bytes."""
    buf = io.BytesIO()
    kwargs: dict[str, object] = {}
    if dpi:
        kwargs["dpi"] = (round(dpi), round(dpi))
    if fmt == "JPEG":
        img.convert("RGB").save(buf, "JPEG", quality=quality, **kwargs)
    else:
        img.save(buf, "PNG", optimize=False, **kwargs)
    return buf.getvalue()


def render_scan(truth: Truth | DocLayout, rng: random.Random, quality: Quality = "clean") -> bytes:
    """Render the document as a scan: PNG for ``clean``, JPEG for ``degraded``/``photo``."""
    return render_scan_mapped(truth, rng, quality)[0]


def render_scan_mapped(
    truth: Truth | DocLayout, rng: random.Random, quality: Quality = "clean", edit: PageEdit | None = None
) -> tuple[bytes, ScanGeometry]:
    """``render_scan``, also returning where the page's fields landed in the image.

    ``edit`` changes the drawn page (after the seal, before scanning or photographing):
    the forgery generator paints over fields there. It draws nothing from ``rng``, so
    the scan's degradation is the same as the untouched document's.
    """
    if quality not in QUALITIES:
        raise ValueError(f"unknown quality {quality!r}")
    img, page, scale = render_page(truth, rng)
    dpi = scale * 72.0
    if quality == "clean":
        if edit is not None:
            img = edit(img, page, scale)
        return encode(img.convert("L"), "PNG", dpi=dpi), ScanGeometry(page, scale, np.eye(3))
    if quality == "degraded":
        img = stamp_seal(img, page, scale, rng, seal_over_text(page, rng))
        if edit is not None:
            img = edit(img, page, scale)
        img, matrix = degrade.scanner_mapped(img, rng)
        return encode(img, "JPEG", quality=rng.randint(50, 75), dpi=dpi), ScanGeometry(page, scale, matrix)
    img = stamp_seal(img, page, scale, rng)
    if edit is not None:
        img = edit(img, page, scale)
    img, matrix = degrade.phone_photo_mapped(img, rng)
    return encode(img, "JPEG", quality=rng.randint(70, 88)), ScanGeometry(page, scale, matrix)


def blank_page_png(dpi: int = 150) -> bytes:
    """A white A4 page with nothing on it (an upload that is not a document)."""
    img = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    return encode(img, "PNG", dpi=dpi)
