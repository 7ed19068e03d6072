"""Resource limits at the door: huge pages and images refused at upload, bodies capped
before parsing, pages rendered at a resolution capped by pixels."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from common.roles import Role
from tests.hostile import huge_page_pdf, huge_png
from tests.integration.test_documents import upload
from tests.integration.test_orders import new_customer

pytestmark = pytest.mark.integration

COUNT = "query($id: ID!) { customer(id: $id) { certificates { id } } }"


@pytest.mark.parametrize(
    ("name", "make", "mime", "says"),
    [
        ("pages.pdf", lambda: huge_page_pdf(3, 5000), "application/pdf", "5000 x 5000 pt"),
        ("photo.png", lambda: huge_png(13_300, 13_300), "image/png", "177 megapixels"),
    ],
)
def test_tiny_files_that_read_huge_are_refused_at_upload(app_client, gql, token_for, name, make, mime, says) -> None:  # type: ignore[no-untyped-def]
    cid = new_customer(gql, "0")
    data = make()
    assert len(data) < 200_000
    result = upload(app_client, token_for(Role.ONBOARDING), cid, name, data, mime)
    assert result["document"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("file", "TOO_LARGE")]
    assert says in result["errors"][0]["message"]


def test_a_page_within_the_limit_renders_capped_by_pixels() -> None:
    from verification.reading import RENDER_MAX_PIXELS, render_pdf

    (page,) = render_pdf(huge_page_pdf(1, 1990))
    height, width = page.shape[:2]
    assert width * height <= RENDER_MAX_PIXELS * 1.01
    assert width > 2000, "still rendered at a useful resolution"


def _chunks(total: int, size: int = 1024 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * size
        sent += size


def test_request_bodies_are_capped_before_parsing(live_server, token_for, settings) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for(Role.ADMIN)}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=60) as client:
        # Declared too large: refused from the header, the 200 MB are never read.
        start = time.perf_counter()
        response = client.post(
            "/graphql",
            content=_chunks(200 * 1024 * 1024),
            headers={"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(200 * 1024 * 1024)},
        )
        assert response.status_code == 413 and time.perf_counter() - start < 10
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        # Streamed without a length: cut off once past the cap (JSON bodies get a small one).
        streamed = client.post(
            "/graphql", content=_chunks(8 * 1024 * 1024), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
        # An ordinary request still passes.
        fine = client.post("/graphql", json={"query": "{ riskReport { totalExposure } }"})
        assert fine.status_code == 200 and "data" in fine.json()
    assert settings.max_json_bytes < 8 * 1024 * 1024
