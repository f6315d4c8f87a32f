"""The offline inbox and the installable app: the service worker at the root of the site
(so that it may keep pages under `/`), and the web app manifest."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse, Response

from tocsin.deps import SettingsDep
from tocsin.web.static import STATIC_DIR

router = APIRouter(include_in_schema=False)


@router.get("/sw.js")
def service_worker() -> Response:
    """The worker, never cached by HTTP (a fixed one must reach browsers at once)."""
    headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/",
               "X-Content-Type-Options": "nosniff"}  # fmt: skip
    return FileResponse(STATIC_DIR / "sw.js", media_type="text/javascript", headers=headers)


@router.get("/manifest.webmanifest")
def manifest(settings: SettingsDep) -> Response:
    """What a phone needs to install tocsin as an app."""
    french = settings.language == "fr"
    body = {
        "name": "tocsin",
        "short_name": "tocsin",
        "description": "Alertes cyber des établissements de santé" if french
        else "Cyber alerts of healthcare establishments",
        "lang": "fr" if french else "en",
        "start_url": "/inbox",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#14213d",
        "icons": [
            {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": "/static/favicon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    }  # fmt: skip
    return JSONResponse(body, media_type="application/manifest+json",
                        headers={"Cache-Control": "public, max-age=3600"})  # fmt: skip
