"""RapidOCR (PP-OCR models on onnxruntime, shipped inside the wheel, no download)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from verification.errors import OcrUnavailableError
from verification.ocr.base import OcrResult, join_boxes
from verification.types import TextLine

_LOCK = threading.Lock()
_MODEL: Any = None
# Text detection sees an A4 page as 1,600 x 1,131 (~140 dpi): bench.hostile_memory's worst
# upload peaks at ~0.9 GB (1.3 GB unscaled); bench.ocr_bench reads every field as before.
DET_MAX_SIDE = 1600


def _model() -> Any:
    # Loading the ONNX models takes about half a second and ~200 MB, so one instance
    # is built per process, on first use rather than at import.
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise OcrUnavailableError("rapidocr-onnxruntime is not installed") from exc
            # Detection memory grows with its input (measured: ~200 MB per megapixel; a
            # 6 MP page took a worker to 1.4 GB). The shipped setting only scales small images
            # up ("min" 736) and never large ones down. Detection runs on the page scaled to
            # at most DET_MAX_SIDE on its long side (PaddleOCR's own default is 960), while
            # recognition still reads each found line cut from the full-resolution page.
            _MODEL = RapidOCR(det_limit_type="max", det_limit_side_len=DET_MAX_SIDE, det_model_path=None)
        return _MODEL


class RapidOcrEngine:
    """OCR with RapidOCR; reads Chinese names and licence numbers well on noisy scans."""

    name = "rapidocr"

    def recognise(self, image: np.ndarray) -> OcrResult:
        """Return the lines RapidOCR finds in ``image``, joined in reading order."""
        if image.ndim == 2:
            image = np.stack([image] * 3, axis=-1)
        result, _ = _model()(image)
        boxes = []
        for points, text, score in result or []:
            ys = [p[1] for p in points]
            xs = [p[0] for p in points]
            boxes.append((min(ys), max(ys), min(xs), str(text), float(score), max(xs)))
        return OcrResult(lines=join_boxes(boxes), engine=self.name)

    def recognise_line(self, image: np.ndarray) -> TextLine:
        """Read an image known to hold one line of text (recognition only, no detection).

        Detection splits a tight crop into fragments and costs most of the time;
        a known single line needs only the recogniser (~40 ms).
        """
        if image.ndim == 2:
            image = np.stack([image] * 3, axis=-1)
        results, _ = _model().text_recognizer([image])
        text, score = results[0] if results else ("", 0.0)
        return TextLine(text=str(text), confidence=float(score))
