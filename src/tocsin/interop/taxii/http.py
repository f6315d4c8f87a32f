"""TAXII on the wire: media types, content negotiation, errors and envelopes (no I/O)."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from tocsin.errors import InvalidInput, TocsinError
from tocsin.interop.taxii.query import Page
from tocsin.interop.taxii.stamps import format_us

TAXII_JSON = "application/taxii+json;version=2.1"
STIX_JSON = "application/stix+json;version=2.1"


class TaxiiProblem(Exception):
    """An error that is answered with this status and the TAXII error shape."""

    def __init__(self, http_status: int, title: str, description: str) -> None:
        super().__init__(description)
        self.http_status, self.title, self.description = http_status, title, description


def _media(value: str) -> tuple[str, dict[str, str]]:
    kind, *params = (part.strip() for part in value.split(";"))
    pairs = (p.partition("=") for p in params if "=" in p)
    return kind.lower(), {k.strip().lower(): v.strip().strip('"') for k, _, v in pairs}


def _is_taxii(kind: str, params: dict[str, str]) -> bool:
    return kind == "application/taxii+json" and params.get("version", "2.1") == "2.1"


def accepts_taxii(header: str | None) -> bool:
    """Does an Accept header allow TAXII 2.1 JSON? No header means anything goes."""
    if not header or not header.strip():
        return True
    for candidate in header.split(","):
        kind, params = _media(candidate)
        if params.get("q") in ("0", "0.0", "0.00", "0.000"):
            continue
        if kind in ("*/*", "application/*") or _is_taxii(kind, params):
            return True
    return False


def is_taxii_body(header: str | None) -> bool:
    kind, params = _media(header or "")
    return _is_taxii(kind, params)


def taxii_response(
    content: str | dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    text = content if isinstance(content, str) else json.dumps(content, separators=(",", ":"))
    return Response(text, status_code=status, media_type=TAXII_JSON, headers=headers)


def error_response(http_status: int, title: str, description: str) -> Response:
    body = {"title": title, "description": description, "http_status": str(http_status)}
    headers = {"WWW-Authenticate": 'Basic realm="tocsin"'} if http_status == 401 else None
    return taxii_response(body, http_status, headers)


def _as_error(exc: Exception) -> Response:
    if isinstance(exc, TaxiiProblem):
        return error_response(exc.http_status, exc.title, exc.description)
    if isinstance(exc, InvalidInput):  # TAXII says 400 for any malformed request
        return error_response(400, "Bad request", exc.detail)
    if isinstance(exc, TocsinError):
        return error_response(exc.status, exc.title, exc.detail)
    if isinstance(exc, RequestValidationError):
        reasons = "; ".join(str(e.get("msg")) for e in exc.errors())
        return error_response(400, "Bad request", reasons or "malformed request")
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, "HTTP error", str(exc.detail))


class TaxiiRoute(APIRoute):
    """Checks Accept and Content-Type first, and answers every error in the TAXII shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                if not accepts_taxii(request.headers.get("accept")):
                    raise TaxiiProblem(406, "Not acceptable", f"send Accept: {TAXII_JSON}")
                if request.method == "POST" and not is_taxii_body(
                    request.headers.get("content-type")
                ):
                    raise TaxiiProblem(415, "Unsupported media type", f"send {TAXII_JSON}")
                return await handler(request)
            except (TaxiiProblem, TocsinError, RequestValidationError, HTTPException) as exc:
                return _as_error(exc)

        return guarded


def page_headers(page: Page) -> dict[str, str]:
    if not page.items:
        return {}
    return {
        "X-TAXII-Date-Added-First": format_us(page.items[0].added_us),
        "X-TAXII-Date-Added-Last": format_us(page.items[-1].added_us),
    }


def _head(page: Page) -> str:
    head = '{"more":true,"next":' + json.dumps(page.next) if page.more else '{"more":false'
    return head


def envelope_text(page: Page) -> str:
    """The envelope, built around the stored object texts without parsing them again."""
    return _head(page) + ',"objects":[' + ",".join(i.body for i in page.items) + "]}"


def manifest_text(page: Page) -> str:
    entries = [
        {
            "id": i.stix_id,
            "date_added": format_us(i.added_us),
            "version": i.version,
            "media_type": STIX_JSON,
        }
        for i in page.items
    ]
    return _head(page) + ',"objects":' + json.dumps(entries, separators=(",", ":")) + "}"


def versions_text(page: Page) -> str:
    versions = json.dumps([i.version for i in page.items])
    return _head(page) + ',"versions":' + versions + "}"
