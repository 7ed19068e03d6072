"""GraphiQL served by the app itself, offline: no CDN, the token typed into the page.

GraphiQL, React and ReactDOM are installed from the npm registry by the setup command
(``scripts/fetch-graphiql.sh``, pinned versions and hashes) into ``vendor/graphiql/``
or ``MEDCREDIT_GRAPHIQL_DIR``; the page and its small script live in ``api/static/``.
Without the installed files the page says how to install them instead of hanging on
"Loading…".
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css")
ASSET_PREFIX = "/graphiql"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>medcredit · GraphiQL</title>
<link rel="stylesheet" href="{prefix}/graphiql.min.css">
<style>
  html, body {{ height: 100%; margin: 0; font-family: system-ui, sans-serif; }}
  body {{ display: flex; flex-direction: column; }}
  #token-bar {{ display: flex; gap: .5rem; align-items: center; padding: .4rem .8rem;
               border-bottom: 1px solid #ddd; background: #f7f7f9; font-size: 14px; }}
  #token {{ flex: 0 1 28rem; font-family: monospace; }}
  #token-status.ok {{ color: #216e39; }}
  #token-status.missing {{ color: #b3261e; }}
  #graphiql {{ flex: 1; min-height: 0; }}
  .hint {{ padding: 2rem; color: #555; }}
</style>
</head>
<body>
<form id="token-bar" autocomplete="off">
  <label for="token">Bearer token</label>
  <input id="token" type="password" autocomplete="off"
         placeholder="paste the output of: medcredit token --subject you --role VIEWER">
  <button type="submit" id="use-token">Use token</button>
  <button type="button" id="forget">Forget</button>
  <span id="token-status"></span>
</form>
<div id="graphiql"><p class="hint">Loading GraphiQL…</p></div>
<script src="{prefix}/react.production.min.js"></script>
<script src="{prefix}/react-dom.production.min.js"></script>
<script src="{prefix}/graphiql.min.js"></script>
<script src="{prefix}/graphiql-page.js"></script>
</body>
</html>
"""

_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>medcredit · GraphiQL not installed</title></head>
<body style="font-family: system-ui, sans-serif; padding: 2rem">
<h1>GraphiQL's files are not installed</h1>
<p>The API works; only the in-browser IDE is missing. Install its files from the npm registry with
<code>make setup</code> (or <code>bash scripts/fetch-graphiql.sh</code>), or point
<code>MEDCREDIT_GRAPHIQL_DIR</code> at a folder that holds them, then reload.</p>
<p>Looked in <code>{directory}</code> for: {files}.</p>
</body></html>
"""


def installed(directory: Path) -> bool:
    return all((directory / name).is_file() for name in ASSETS)


def page(directory: Path) -> HTMLResponse:
    """The IDE page, or a page that says how to install its files."""
    if installed(directory):
        return HTMLResponse(_PAGE.format(prefix=ASSET_PREFIX))
    return HTMLResponse(_MISSING.format(directory=directory, files=", ".join(ASSETS)), status_code=503)


def routes(directory: Path) -> list[BaseRoute]:
    """The routes serving the page script and the installed files under ``/graphiql``."""

    async def page_script(request: Request) -> Response:
        return Response((STATIC / "graphiql-page.js").read_bytes(), media_type="text/javascript")

    async def not_installed(request: Request) -> Response:
        return PlainTextResponse("GraphiQL's files are not installed: run make setup.", status_code=404)

    assets: BaseRoute = (
        Mount(ASSET_PREFIX, app=StaticFiles(directory=directory))
        if directory.is_dir()
        else Route(ASSET_PREFIX + "/{name:path}", not_installed)
    )
    return [Route(ASSET_PREFIX + "/graphiql-page.js", page_script), assets]
