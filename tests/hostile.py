"""Hostile files: tiny on disk, huge once read (for limit tests and the memory bench)."""

from __future__ import annotations

import io
import struct
import zlib


def huge_page_pdf(pages: int = 3, side_pt: float = 5000) -> bytes:
    """A PDF of a few KB whose pages each declare ``side_pt`` x ``side_pt`` points."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=side_pt, height=side_pt)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def huge_png(width: int = 13_300, height: int = 13_300) -> bytes:
    """A valid grey PNG of ``width`` x ``height`` (176 MP by default) in a few tens of KB."""
    row = b"\x00" + bytes(width)  # filter byte, then black pixels
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")
