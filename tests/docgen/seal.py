"""The issuer's red seal (公章): a ring, ring text, a star and optional bottom text."""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .fonts import pil_font

SEAL_RED = (205, 28, 36)


def seal_image(text: str, bottom: str | None, radius: int, rng: random.Random) -> Image.Image:
    """Return an RGBA seal of the given pixel radius, with uneven ink.

    Alpha carries the ink; the colour channels are a flat red so callers can blend
    it either as an overlay (PDF) or multiplicatively (raster scans).
    """
    size = 2 * radius + 4
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    c = size / 2
    ring = max(2, round(radius * 0.055))
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=255, width=ring)

    _star(draw, c, c, radius * 0.27)
    _ring_text(mask, text, c, radius, rng)
    if bottom:
        font = pil_font("serif", True, max(8, round(radius * 0.17)))
        draw.text((c, c + radius * 0.5), bottom, font=font, fill=255, anchor="mm")

    alpha = np.asarray(mask, dtype=np.float32) / 255.0
    alpha *= _ink_texture(size, rng)
    alpha *= rng.uniform(0.72, 0.9)
    out = Image.new("RGBA", (size, size), SEAL_RED + (0,))
    ink = Image.fromarray((alpha * 255).astype(np.uint8))
    out.putalpha(ink.filter(ImageFilter.GaussianBlur(0.7)))
    return out


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.4
        a = -math.pi / 2 + i * math.pi / 5
        points.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    draw.polygon(points, fill=255)


def _ring_text(mask: Image.Image, text: str, c: float, radius: float, rng: random.Random) -> None:
    """Set ``text`` clockwise along the upper arc, each glyph upright to the rim."""
    if not text:
        return
    px = max(8, round(radius * 0.24))
    font = pil_font(rng.choice(("serif", "sans")), True, px)
    span = min(250.0, 22.0 * len(text) + 20.0)
    r_text = radius * 0.76
    for i, ch in enumerate(text):
        theta = -span / 2 + span * (i + 0.5) / len(text)  # degrees clockwise from the top
        glyph = Image.new("L", (px * 2, px * 2), 0)
        ImageDraw.Draw(glyph).text((px, px), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-theta, resample=Image.Resampling.BICUBIC)
        t = math.radians(theta)
        x, y = c + r_text * math.sin(t), c - r_text * math.cos(t)
        mask.paste(255, (round(x - px), round(y - px)), glyph)


def _ink_texture(size: int, rng: random.Random) -> np.ndarray:
    """Low-frequency blotches plus speckle dropout, like a rubber stamp's uneven ink."""
    gen = np.random.default_rng(rng.getrandbits(64))
    coarse = gen.uniform(0.55, 1.0, (8, 8)).astype(np.float32)
    coarse_img = Image.fromarray((coarse * 255).astype(np.uint8))
    blotch = np.asarray(coarse_img.resize((size, size), Image.Resampling.BICUBIC), dtype=np.float32) / 255.0
    speckle = (gen.random((size, size)) > 0.06).astype(np.float32)
    return np.clip(blotch * (0.35 + 0.65 * speckle), 0.0, 1.0)
