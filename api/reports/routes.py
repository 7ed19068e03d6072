"""HTTP downloads: the qualification dossier and the report exports (bearer token required)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.reports.catalogue import ReportRequestError, build_export
from services.dossier import build_dossier
from services.errors import InvalidInput


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


async def report(request: Request) -> Response:
    """``GET /reports/{name}.{csv|xlsx|pdf}``: a report export; any authenticated role (as ``riskReport``)."""
    if not request.user.is_authenticated:
        return _unauthenticated()
    name, fmt = request.path_params["name"], request.path_params["format"]
    try:
        export = await build_export(
            request.app.state.runtime, name, fmt, dict(request.query_params), actor=request.user.display_name
        )
    except ReportRequestError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return Response(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.file_name}"', "Cache-Control": "no-store"},
    )


def routes() -> list[Route]:
    return [
        Route("/customers/{customer}/dossier.pdf", dossier, methods=["GET"]),
        Route("/reports/{name}.{format}", report, methods=["GET"]),
    ]
