"""Tesseract (Debian ``tesseract-ocr`` + ``tesseract-ocr-chi-sim``) through pytesseract."""

from __future__ import annotations

import numpy as np

from verification.errors import OcrUnavailableError
from verification.ocr.base import OcrResult, join_boxes


class TesseractEngine:
    """OCR with tesseract, simplified Chinese plus English.

    Parameters:
        lang: tesseract language string.
        psm: page segmentation mode; 6 (one uniform block) suits the label/value
            layout of licences better than automatic layout analysis.
    """

    def __init__(self, lang: str = "chi_sim+eng", psm: int = 6) -> None:
        self.lang = lang
        self.psm = psm
        self.name = "tesseract"

    def recognise(self, image: np.ndarray) -> OcrResult:
        """Return the lines tesseract finds in ``image``, with word confidences averaged."""
        import pytesseract

        rgb = image[:, :, ::-1] if image.ndim == 3 else image
        try:
            data = pytesseract.image_to_data(
                rgb,
                lang=self.lang,
                config=f"--psm {self.psm}",
                output_type=pytesseract.Output.DICT,
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise OcrUnavailableError("the tesseract binary is not installed") from exc
        groups: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if word.strip() and float(data["conf"][i]) >= 0:
                key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
                groups.setdefault(key, []).append(i)
        boxes = []
        for indexes in groups.values():
            top = min(data["top"][i] for i in indexes)
            bottom = max(data["top"][i] + data["height"][i] for i in indexes)
            left = min(data["left"][i] for i in indexes)
            text = " ".join(data["text"][i] for i in indexes)
            conf = sum(float(data["conf"][i]) for i in indexes) / len(indexes) / 100.0
            boxes.append((float(top), float(bottom), float(left), text, conf))
        # Tesseract already returns whole lines; joining only restores reading order.
        return OcrResult(lines=join_boxes(boxes, gap=" "), engine=self.name)
