"""Static files: ours from web/static, htmx and Swagger UI from node_modules (installed by
`npm ci`), and the API docs page built on them: nothing from a CDN, so it works offline."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

router = APIRouter(include_in_schema=False)
STATIC_DIR = Path(__file__).parent / "static"
# The repository root holds package.json; node_modules sits next to it after `npm ci`.
NODE_MODULES = [Path(__file__).resolve().parents[3] / "node_modules", Path.cwd() / "node_modules"]
VENDOR = {
    "htmx.min.js": Path("htmx.org/dist/htmx.min.js"),
    "swagger-ui-bundle.js": Path("swagger-ui-dist/swagger-ui-bundle.js"),
    "swagger-ui.css": Path("swagger-ui-dist/swagger-ui.css"),
}
TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".wav": "audio/wav",
         ".png": "image/png"}  # fmt: skip
HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}


def _served(path: Path) -> Response:
    if not path.is_file():
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(
        path, media_type=TYPES.get(path.suffix, "application/octet-stream"), headers=HEADERS
    )


@router.get("/static/vendor/{name}")
def vendor(name: str) -> Response:
    relative = VENDOR.get(name)
    if relative is None:
        return _served(Path("/nonexistent"))
    for base in NODE_MODULES:
        if (base / relative).is_file():
            return _served(base / relative)
    return Response(
        "run `npm ci` to install the front-end packages", status_code=404, media_type="text/plain"
    )


API_DOCS = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>tocsin API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="/api/v1/openapi.json"></div>
<script src="/static/vendor/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body>
</html>
"""


@router.get("/api/v1/docs")
def api_docs() -> Response:
    """Swagger UI over the OpenAPI document, from the npm package: no CDN, works offline."""
    return Response(API_DOCS, media_type="text/html", headers={
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                                   "style-src 'self' 'unsafe-inline'",
        "X-Content-Type-Options": "nosniff",
    })  # fmt: skip


@router.get("/static/{name}")
def static(name: str) -> Response:
    """Only plain file names inside web/static: no path escapes."""
    candidate = (STATIC_DIR / name).resolve()
    if candidate.parent != STATIC_DIR.resolve():
        return _served(Path("/nonexistent"))
    return _served(candidate)
