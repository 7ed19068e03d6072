"""One door to PDFium, which is not thread-safe.

PDFium keeps global state: two threads rendering at once abort the whole process (a
worker runs several actors in threads, and the tamper check renders every text PDF).
Every use goes through ``open_pdf``, which holds one process-wide lock for as long as
the document is open. Renders are short (tens of milliseconds), so the lock costs
little next to OCR, which runs outside it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_LOCK = threading.RLock()


@contextmanager
def open_pdf(data: bytes) -> Iterator[Any]:
    """Open ``data`` with pypdfium2 under the process-wide lock; closes it on exit.

    Raises:
        pypdfium2.PdfiumError: the bytes are not a PDF PDFium can open.
    """
    import pypdfium2 as pdfium

    with _LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            yield pdf
        finally:
            pdf.close()
