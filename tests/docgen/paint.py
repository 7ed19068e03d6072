"""Painting a changed field over a rendered page, the way a forger edits a scan.

Two moments, both common in practice:

* ``paint_page`` edits the drawn page before it is scanned or photographed (a forger
  who edits a digital copy and then prints and scans it, or photographs the screen);
  the edit then goes through the same degradation as the rest of the page.
* ``paint_image`` edits the finished scan or photo (an image editor on the JPEG): the
  field's region is filled with the local paper colour and the new text drawn in the
  local ink colour, warped to the page's perspective, and the image saved again.

Either way the new glyphs are re-rendered, not copied, so they differ slightly from
the rest of the page as a real edit does: stroke colour, height, baseline, sometimes
the typeface, a flat background and their own JPEG history. Which differences appear
is drawn from the caller's rng.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .fonts import RASTER_FAMILIES, pil_font
from .page import Page, Text
from .raster import ScanGeometry


class NotPaintable(ValueError):
    """The changed value is not printed on the page as one run of text (e.g. wrapped)."""


@dataclass(frozen=True)
class Edit:
    """One run of text to change: the characters ``start:stop`` become ``new``."""

    text: Text
    start: int
    stop: int
    new: str


@dataclass(frozen=True)
class Style:
    """How the forger's glyphs differ from the page's own."""

    family: str
    size_factor: float
    baseline_shift: float  # in ems
    ink: tuple[int, int, int]
    paper: tuple[int, int, int]
    patch_jpeg_quality: int | None  # the patch's own JPEG history, if any
    whole_field: bool  # repaint the whole value, or only the changed characters


def plan_edits(page: Page, substitutions: Sequence[tuple[str, str]], whole_field: bool) -> list[Edit]:
    """Find every printed occurrence of each ``old`` and plan its replacement by ``new``.

    Raises ``NotPaintable`` when a substitution that must happen is not printed as
    one run (pairs whose ``old`` is absent are skipped when another pair of the same
    field was found: dates are offered in every printed style).
    """
    edits: list[Edit] = []
    found_any = False
    for text in page.texts:
        run = text.text
        new_run = run
        spans: list[tuple[int, int]] = []
        for old, new in substitutions:
            if old == new or old not in new_run:
                continue
            idx = new_run.find(old)
            while idx >= 0:
                spans.append((idx, idx + len(old)))
                new_run = new_run[:idx] + new + new_run[idx + len(old) :]
                idx = new_run.find(old, idx + len(new))
        if new_run == run:
            continue
        found_any = True
        prefix = _common_prefix(run, new_run)
        suffix = _common_prefix(run[prefix:][::-1], new_run[prefix:][::-1])
        start, stop_old = prefix, len(run) - suffix
        if whole_field:
            start = min(start, min(s for s, _ in spans))
            stop_old = max(stop_old, max(e for _, e in spans))
        stop_new = stop_old + len(new_run) - len(run)
        edits.append(Edit(text, start, stop_old, new_run[start:stop_new]))
    if not found_any:
        raise NotPaintable(f"none of {[old for old, _ in substitutions]} is printed as one run")
    return edits


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def draw_style(rng: random.Random, page: Page) -> Style:
    """Draw how this forger's edit differs from the printed page."""
    family = page.font_family
    if rng.random() < 0.25:  # the forger did not have the issuer's typeface
        family = rng.choice(sorted(set(RASTER_FAMILIES) - {family}) or [family])
    grey = rng.randint(20, 75)
    ink = (grey, grey, grey) if rng.random() < 0.6 else (grey // 2, grey // 2, grey + rng.randint(10, 40))
    paper_level = rng.randint(246, 255)
    paper = (paper_level, paper_level, max(0, paper_level - rng.randint(0, 6)))
    return Style(
        family=family,
        size_factor=rng.uniform(0.93, 1.07),
        baseline_shift=rng.uniform(-0.06, 0.06),
        ink=ink,
        paper=paper,
        patch_jpeg_quality=rng.randint(55, 90) if rng.random() < 0.7 else None,
        whole_field=rng.random() < 0.5,
    )


def edit_geometry(edit: Edit, page: Page, scale: float) -> tuple[tuple[float, float, float, float], float, float]:
    """Return the erased box (drawn-page pixels), the x where new text starts, and its baseline."""
    t = edit.text
    font = pil_font(page.font_family, t.bold, round(t.size * scale))
    x0 = t.x * scale + font.getlength(t.text[: edit.start])
    x1 = t.x * scale + font.getlength(t.text[: edit.stop])
    # Vertically a little beyond the em box; sideways barely, or the neighbours go too.
    pad, side = 0.1 * t.size * scale, 0.02 * t.size * scale
    box = (x0 - side, t.y * scale - pad, x1 + side, (t.y + t.size) * scale + pad)
    return box, x0, t.baseline * scale


def _text_mask(
    edit: Edit, style: Style, page: Page, scale: float, origin: tuple[int, int], size: tuple[int, int]
) -> Image.Image:
    """The new characters as an L mask on a canvas at ``origin`` (drawn-page pixels)."""
    t = edit.text
    _, x, baseline = edit_geometry(edit, page, scale)
    font = pil_font(style.family, t.bold, max(4, round(t.size * scale * style.size_factor)))
    mask = Image.new("L", size, 0)
    y = baseline + style.baseline_shift * t.size * scale
    ImageDraw.Draw(mask).text((x - origin[0], y - origin[1]), edit.new, font=font, fill=255, anchor="ls")
    return mask


def _region(box: tuple[float, float, float, float], margin: float, limit: tuple[int, int]) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return (
        max(0, int(x0 - margin)),
        max(0, int(y0 - margin)),
        min(limit[0], int(x1 + margin) + 1),
        min(limit[1], int(y1 + margin) + 1),
    )


def _jpeg_round_trip(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert(img.mode)


def paint_page(img: Image.Image, page: Page, scale: float, edits: Sequence[Edit], style: Style) -> Image.Image:
    """Repaint ``edits`` on the drawn page (before any degradation)."""
    out = img.convert("RGB")
    for edit in edits:
        box, _, _ = edit_geometry(edit, page, scale)
        x0, y0, x1, y1 = _region(box, 0, out.size)
        # The forger works on a crop: white it out, type the new value, and the
        # crop may pass through an editor's JPEG export before going back.
        width, height = x1 - x0, y1 - y0
        patch = Image.new("RGB", (width, height), style.paper)
        ink = Image.new("RGB", (width, height), style.ink)
        patch.paste(ink, (0, 0), _text_mask(edit, style, page, scale, (x0, y0), (width, height)))
        if style.patch_jpeg_quality is not None:
            patch = _jpeg_round_trip(patch, style.patch_jpeg_quality)
        out.paste(patch, (x0, y0))
    return out


def paint_image(
    img: Image.Image, geometry: ScanGeometry, edits: Sequence[Edit], style: Style, rng: random.Random
) -> Image.Image:
    """Repaint ``edits`` on a finished scan or photo, matching local paper and ink."""
    mode = img.mode
    arr = np.asarray(img.convert("RGB"), dtype=np.float32).copy()
    h_img, w_img = arr.shape[:2]
    matrix = geometry.matrix
    for edit in edits:
        box, _, _ = edit_geometry(edit, geometry.page, geometry.scale)
        corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]], dtype=np.float64)
        mapped = cv2.perspectiveTransform(corners[None], matrix)[0]
        ox0, oy0 = np.floor(mapped.min(axis=0)).astype(int) - 4
        ox1, oy1 = np.ceil(mapped.max(axis=0)).astype(int) + 4
        ox0, oy0 = max(0, int(ox0)), max(0, int(oy0))
        ox1, oy1 = min(w_img, int(ox1)), min(h_img, int(oy1))
        if ox1 <= ox0 or oy1 <= oy0:
            raise NotPaintable("the field lies outside the image")
        crop = arr[oy0:oy1, ox0:ox1]
        # Paper and ink as the forger's colour picker would take them from around the field.
        lum = crop.mean(axis=2)
        paper = np.median(crop[lum >= np.percentile(lum, 70)], axis=0)
        ink = crop[lum <= np.percentile(lum, 4)].mean(axis=0)
        ink = np.minimum(ink, paper * 0.6)
        # Both masks drawn in drawn-page pixels, then warped like the page was.
        px0, py0 = int(box[0]) - 2, int(box[1]) - 2
        pw, ph = int(box[2] - box[0]) + 5, int(box[3] - box[1]) + 5
        rect = Image.new("L", (pw, ph), 0)
        ImageDraw.Draw(rect).rectangle((2, 2, pw - 3, ph - 3), fill=255)
        text = _text_mask(edit, style, geometry.page, geometry.scale, (px0, py0), (pw, ph))
        to_crop = (
            np.array([[1, 0, -ox0], [0, 1, -oy0], [0, 0, 1]], dtype=np.float64)
            @ matrix
            @ np.array([[1, 0, px0], [0, 1, py0], [0, 0, 1]], dtype=np.float64)
        )
        size = (ox1 - ox0, oy1 - oy0)
        rect_m = cv2.warpPerspective(np.asarray(rect, np.float32) / 255.0, to_crop, size)[..., None]
        text_m = cv2.warpPerspective(np.asarray(text, np.float32) / 255.0, to_crop, size)
        text_m = cv2.GaussianBlur(text_m, (0, 0), rng.uniform(0.3, 0.7))[..., None]
        fill = np.broadcast_to(paper, crop.shape).astype(np.float32)
        if rng.random() < 0.5:  # some editors' fill keeps a little grain, most none
            fill = fill + np.float32(rng.uniform(0.5, 2.5)) * np.random.default_rng(
                rng.getrandbits(32)
            ).standard_normal(crop.shape).astype(np.float32)
        crop = crop * (1.0 - rect_m) + fill * rect_m
        crop = crop * (1.0 - text_m) + ink * text_m
        arr[oy0:oy1, ox0:ox1] = crop
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return out.convert(mode) if mode in ("L", "RGB") else out
