"""HTTP downloads: the qualification dossier and the report exports (bearer token required)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.errors import InvalidInput
from api.services.dossier import build_dossier


def _unauthenticated() -> JSONResponse:
    return JSONResponse(
        {"error": "Authentication required: send 'Authorization: Bearer <token>'."},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def dossier(request: Request) -> Response:
    """``GET /customers/{id}/dossier.pdf``: the customer by public id or code; any role that reads customers."""
    if not request.user.is_authenticated:
        return _unauthenticated()
    key = request.path_params["customer"]
    try:
        customer, pdf = await build_dossier(request.app.state.runtime, key, actor=request.user.display_name)
    except InvalidInput as exc:
        return JSONResponse({"error": exc.problems[0].message}, status_code=404)
    name = f"dossier-{customer['code']}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def routes() -> list[Route]:
    return [Route("/customers/{customer}/dossier.pdf", dossier, methods=["GET"])]
