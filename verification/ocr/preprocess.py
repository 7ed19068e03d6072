"""Image clean-up before OCR: decoding, scaling, red-seal removal, deskew, binarisation."""

from __future__ import annotations

import io

import cv2
import numpy as np

MAX_SIDE = 2200
MIN_SIDE = 1000


def decode_image(data: bytes) -> np.ndarray:
    """Decode JPEG/PNG bytes to a BGR array, applying the EXIF orientation of phone photos."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        upright = ImageOps.exif_transpose(opened).convert("RGB")
        rgb = np.asarray(upright)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def fit_size(image: np.ndarray, *, max_side: int = MAX_SIDE, min_side: int = MIN_SIDE) -> np.ndarray:
    """Scale an image so its longer side lies within [min_side, max_side].

    Large photos slow OCR down without adding detail the models use; small ones lose
    strokes of Chinese characters.
    """
    h, w = image.shape[:2]
    side = max(h, w)
    if side > max_side:
        scale = max_side / side
        return cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    if side < min_side:
        scale = min_side / side
        return cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC)
    return image


def remove_red(image: np.ndarray) -> np.ndarray:
    """Return a grey image in which red seal ink has vanished but black text has not.

    Seals are stamped in red over black text. In the red channel red ink is as light
    as the paper while black toner stays black (ink over toner only darkens it), so
    that channel alone is the page without its seal, and no text strokes are lost
    the way they are when red pixels are painted white.
    """
    if image.ndim == 2:
        return image
    red = image[:, :, 2]
    # Stretch the contrast so that the paper is white again.
    low, high = np.percentile(red, (1, 99))
    if high - low < 10:
        return red
    # The white point sits below the paper so the faint remains of the seal go white.
    stretched = (red.astype(np.float32) - low) * (255.0 / (0.8 * (high - low)))
    return np.clip(stretched, 0, 255).astype(np.uint8)


def to_grey(image: np.ndarray) -> np.ndarray:
    """Return a single-channel image."""
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def is_sideways(image: np.ndarray) -> bool:
    """Tell whether the page's text lines run vertically (a photo turned by 90°)."""
    grey = to_grey(image)
    wide = sum(max(w, h) for w, h, _ in _axis_blobs(grey, (25, 3)) if w >= 4 * h and w >= 60)
    tall = sum(max(w, h) for w, h, _ in _axis_blobs(grey, (3, 25)) if h >= 4 * w and h >= 60)
    # Measured on generated scans and photos: upright pages give tall/wide ≤ 0.62,
    # pages turned by 90° give ≥ 1.6.
    return tall > wide


def _axis_blobs(grey: np.ndarray, kernel: tuple[int, int]) -> list[tuple[float, float, float]]:
    """Return (width, height, 0) of the ink blobs left after smearing along ``kernel``."""
    small = fit_size(grey, max_side=1200, min_side=200)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    blobs = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
    contours, _ = cv2.findContours(blobs, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for contour in contours:
        _, _, w, h = cv2.boundingRect(contour)
        out.append((float(w), float(h), 0.0))
    return out


def deskew_angle(grey: np.ndarray) -> float:
    """Estimate the page rotation in degrees (text lines vs. horizontal), within ±10°."""
    small = fit_size(grey, max_side=1200, min_side=200)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    # Merge characters into line blobs, then measure the blobs' orientation.
    blobs = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 3)))
    # RETR_LIST: a printed frame around the page would hide every line inside it.
    contours, _ = cv2.findContours(blobs, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    angles, weights = [], []
    for contour in contours:
        (_, _), (w, h), angle = cv2.minAreaRect(contour)
        if w < h:
            w, h = h, w
            angle -= 90
        if w < 60 or w < 4 * h:
            continue
        angle = (angle + 45) % 90 - 45
        if abs(angle) <= 10:
            angles.append(angle)
            weights.append(w)
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    return float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])


def rotate(image: np.ndarray, angle: float) -> np.ndarray:
    """Rotate an image by ``angle`` degrees about its centre, filling with white."""
    if abs(angle) < 0.2:
        return image
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = 255 if image.ndim == 2 else (255, 255, 255)
    return cv2.warpAffine(
        image,
        matrix,
        (w, h),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )


def deskew(image: np.ndarray) -> np.ndarray:
    """Return the image rotated so text lines are horizontal."""
    return rotate(image, deskew_angle(to_grey(image)))


def denoise(grey: np.ndarray) -> np.ndarray:
    """Remove JPEG speckle with a small median filter."""
    return cv2.medianBlur(grey, 3)


def binarise(grey: np.ndarray) -> np.ndarray:
    """Return black text on white, thresholded locally (uneven lighting of photos)."""
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 15)


def prepare(image: np.ndarray, variant: str = "plain") -> np.ndarray:
    """Return the image prepared for OCR by one named recipe.

    Variants: ``plain`` (resize only), ``nored`` (seal removal + deskew), ``binary``
    (seal removal, deskew, denoise, local threshold).
    """
    image = fit_size(image)
    if variant == "plain":
        return image
    image = deskew(remove_red(image))
    if variant == "nored":
        return image
    if variant == "binary":
        return binarise(denoise(to_grey(image)))
    raise ValueError(f"unknown preprocessing variant {variant!r}")
