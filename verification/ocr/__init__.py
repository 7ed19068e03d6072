"""OCR engines behind one interface, and image preprocessing."""

from verification.ocr.base import OcrEngine, OcrResult, join_boxes
from verification.ocr.rapid import RapidOcrEngine
from verification.ocr.tesseract import TesseractEngine

__all__ = ["OcrEngine", "OcrResult", "RapidOcrEngine", "TesseractEngine", "join_boxes"]
