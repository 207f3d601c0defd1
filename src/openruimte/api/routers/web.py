"""The browser UI: the programming map at ``/`` and the public map at ``/publiek``.

Front-end libraries come from the npm registry at setup (``make install`` runs
npm in ``src/openruimte/web``); they are served from its ``node_modules``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from openruimte.api.deps import PrincipalDep
from openruimte.api.errors import ApiError

router = APIRouter(tags=["web"], include_in_schema=False)

WEB = Path(str(resources.files("openruimte") / "web"))
#: npm packages served to the browser: URL name -> folder inside node_modules
VENDOR = {"maplibre-gl": "maplibre-gl/dist", "swagger-ui": "swagger-ui-dist"}


def _page(name: str) -> FileResponse:
    path = WEB / "templates" / name
    if not path.exists():
        raise ApiError(404, "not_found", f"page {name} is missing from the installation")
    return FileResponse(path, media_type="text/html")


@router.get("/docs")
def api_docs() -> HTMLResponse:
    """Swagger UI from the npm package (no CDN); its inline start script is allowed on this page only."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="OpenRuimte API",
        swagger_js_url="/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
    page.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
    )
    return page


@router.get("/")
def programming_map(principal: PrincipalDep) -> Response:
    """The programming map is for the parties at the table: log in first (the public map needs no login)."""
    if principal.anonymous:
        return RedirectResponse("/login?next=/", status_code=303)
    return _page("index.html")


@router.get("/publiek")
def public_map() -> FileResponse:
    return _page("publiek.html")


@router.get("/routekaart")
def roadmap_page() -> FileResponse:
    """The BIM roadmap (issue 17): metro map, poster wall, progress; anonymous visitors see public assessments."""
    return _page("routekaart.html")


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    for name, folder in VENDOR.items():
        path = WEB / "node_modules" / folder
        if path.exists():
            app.mount(f"/vendor/{name}", StaticFiles(directory=path), name=f"vendor-{name}")
