"""Image degradations: flatbed-scanner artefacts and phone-photo capture.

All randomness comes from the caller's ``random.Random`` (numpy generators are
seeded from it) so a seed reproduces the same pixels.
"""

from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image


def _np_rng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(64))


def paper_tint(arr: np.ndarray, rng: random.Random) -> np.ndarray:
    """Multiply by a warm off-white, the colour of aged or recycled paper."""
    tint = np.array([rng.uniform(0.93, 1.0), rng.uniform(0.9, 0.97), rng.uniform(0.8, 0.92)], dtype=np.float32)
    return arr * tint


def scanner(img: Image.Image, rng: random.Random) -> Image.Image:
    """Paper tint, slight skew (±3°), blur and sensor noise, as from an office scanner."""
    return scanner_mapped(img, rng)[0]


def scanner_mapped(img: Image.Image, rng: random.Random) -> tuple[Image.Image, np.ndarray]:
    """``scanner``, also returning the 3x3 matrix from input to output pixels."""
    gen = _np_rng(rng)
    arr: np.ndarray = paper_tint(np.asarray(img, dtype=np.float32), rng)
    h, w = arr.shape[:2]
    angle = rng.uniform(-3.0, 3.0)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = tuple(float(v) for v in arr[5, 5])
    arr = cv2.warpAffine(
        arr, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )
    arr = np.asarray(cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.5, 1.0)), dtype=np.float32)
    arr += gen.standard_normal(arr.shape, dtype=np.float32) * rng.uniform(4.0, 10.0)
    # A faint darker band along one edge where the lid did not close fully.
    if rng.random() < 0.5:
        band = np.linspace(0.85, 1.0, min(80, w))[None, :, None]
        arr[:, : band.shape[1]] *= band
    mapping = np.vstack([matrix, [0.0, 0.0, 1.0]])
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), mapping


def phone_photo(img: Image.Image, rng: random.Random) -> Image.Image:
    """Perspective skew on a desk background, uneven light, phone resolution (~1500 px)."""
    return phone_photo_mapped(img, rng)[0]


def phone_photo_mapped(img: Image.Image, rng: random.Random) -> tuple[Image.Image, np.ndarray]:
    """``phone_photo``, also returning the 3x3 matrix from input to output pixels."""
    gen = _np_rng(rng)
    # Work at the final phone resolution from the start: cheaper, and the downscale
    # is what a phone sensor does anyway.
    target_w = rng.randint(1400, 1600)
    margin_frac = rng.uniform(0.06, 0.12), rng.uniform(0.05, 0.1)
    shrink = target_w / (img.width * (1 + 2 * margin_frac[0]))
    small = img.resize((round(img.width * shrink), round(img.height * shrink)), Image.Resampling.LANCZOS)
    page = paper_tint(np.asarray(small, dtype=np.float32), rng)
    ph, pw = page.shape[:2]
    # Canvas with a desk-coloured margin around the page.
    margin_x, margin_y = int(pw * margin_frac[0]), int(ph * margin_frac[1])
    cw, ch = pw + 2 * margin_x, ph + 2 * margin_y
    desk = np.array([rng.uniform(60, 140), rng.uniform(50, 120), rng.uniform(40, 100)], dtype=np.float32)
    canvas_noise = gen.normal(0.0, 6.0, (ch // 8 + 1, cw // 8 + 1, 3)).astype(np.float32)
    background = desk + cv2.resize(canvas_noise, (cw, ch), interpolation=cv2.INTER_LINEAR)

    # Page corners jitter by a few percent: a few degrees of perspective and rotation.
    jitter = 0.03
    corners = [(0.0, 0.0), (pw, 0.0), (pw, ph), (0.0, ph)]
    src = np.array(corners, dtype=np.float32)
    dst = np.array(
        [
            (margin_x + x + rng.uniform(-jitter, jitter) * pw, margin_y + y + rng.uniform(-jitter, jitter) * ph)
            for x, y in corners
        ],
        dtype=np.float32,
    )
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(
        page, matrix, (cw, ch), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)
    )
    inside = cv2.warpPerspective(np.ones((ph, pw), np.float32), matrix, (cw, ch))[..., None]
    arr = warped * inside + background * (1.0 - inside)

    # Uneven lighting: a linear gradient in a random direction plus a soft hot spot,
    # computed on a coarse grid (light varies slowly) and scaled up.
    gh, gw = ch // 16 + 1, cw // 16 + 1
    yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
    direction = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(direction) * xx / gw + np.sin(direction) * yy / gh
    ramp = (ramp - ramp.min()) / (np.ptp(ramp) + 1e-6)
    light = rng.uniform(0.65, 0.8) + rng.uniform(0.2, 0.3) * ramp
    hx, hy = rng.uniform(0.2, 0.8) * gw, rng.uniform(0.2, 0.8) * gh
    light += 0.12 * np.exp(-(((xx - hx) / (0.5 * gw)) ** 2 + ((yy - hy) / (0.5 * gh)) ** 2))
    light = cv2.resize(light.astype(np.float32), (cw, ch), interpolation=cv2.INTER_LINEAR)
    arr = arr * light[..., None]

    arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.4, 0.8))
    arr += gen.standard_normal(arr.shape, dtype=np.float32) * rng.uniform(2.0, 5.0)
    shrink_matrix = np.diag([small.width / img.width, small.height / img.height, 1.0])
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), matrix @ shrink_matrix
