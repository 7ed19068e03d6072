"""File sniffing by content, and refusal of files that cannot be read."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image
from pypdf import PdfWriter

from verification.errors import DocumentError, VerificationError
from verification.files import sniff
from verification.reading import read_document
from verification.types import DocumentErrorCode as Code
from verification.types import FileKind


def _image(fmt: str, size: tuple[int, int] = (200, 100)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, fmt)
    return buf.getvalue()


def _pdf(pages: int = 1, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(user_password=password, owner_password=password + "x", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "x")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (_pdf(), FileKind.PDF),
        (_image("JPEG"), FileKind.JPEG),
        (_image("PNG"), FileKind.PNG),
        (b"\r\n" + _pdf(), FileKind.PDF),
    ],
)
def test_sniff_by_content(data: bytes, kind: FileKind) -> None:
    assert sniff(data) is kind


@pytest.mark.parametrize(
    ("data", "kwargs", "code"),
    [
        (b"", {}, Code.EMPTY_FILE),
        (_pdf(), {"max_bytes": 100}, Code.TOO_LARGE),
        (_pdf(pages=3), {"max_pages": 2}, Code.TOO_MANY_PAGES),
        (_pdf(password="secret"), {}, Code.ENCRYPTED),
        (_pdf()[:200], {}, Code.CORRUPT),
        (_image("PNG")[:60], {}, Code.CORRUPT),
        (_image("JPEG")[:300], {}, Code.CORRUPT),
        (_zip(), {}, Code.UNSUPPORTED_TYPE),
        ("营业执照".encode(), {}, Code.UNSUPPORTED_TYPE),
        (_image("GIF"), {}, Code.UNSUPPORTED_TYPE),
        (_image("PNG", size=(10, 10)), {}, Code.UNREADABLE),
    ],
)
def test_sniff_refuses(data: bytes, kwargs: dict[str, int], code: Code) -> None:
    with pytest.raises(DocumentError) as info:
        sniff(data, **kwargs)
    assert info.value.code is code
    assert isinstance(info.value, VerificationError)


def test_read_document_refuses_encrypted_and_foreign() -> None:
    with pytest.raises(DocumentError) as info:
        read_document(_pdf(password="secret"))
    assert info.value.code is Code.ENCRYPTED
    with pytest.raises(DocumentError) as info:
        read_document(_zip())
    assert info.value.code is Code.UNSUPPORTED_TYPE
