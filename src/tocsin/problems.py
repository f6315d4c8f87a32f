"""RFC 9457 problem+json responses: the one place errors become HTTP."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tocsin.errors import (
    DatabaseUnavailable,
    InvalidInput,
    RateLimited,
    StorageFull,
    TocsinError,
)

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    instance: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:tocsin:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


async def on_tocsin_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TocsinError)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidInput):
        extra["errors"] = [{"field": e.field, "reason": e.reason} for e in exc.errors]
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="tocsin"'
    return problem(
        exc.status,
        exc.title,
        exc.detail,
        slug=exc.type_slug,
        instance=request.url.path,
        extra=extra,
        headers=headers,
    )


# How SQLite, PostgreSQL and the operating system say that no space is left.
_FULL = ("database or disk is full", "no space left on device", "could not extend file",
         "could not write to file")  # fmt: skip


def database_error(exc: Exception) -> TocsinError:
    """The typed error for a failure of the database itself (not of the request)."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if any(marker in text for marker in _FULL):
        return StorageFull("the database has no space left; nothing of this request was stored")
    return DatabaseUnavailable("the database did not answer; nothing was stored, try again")


async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
    """A database that is down, restarting or full: a clear 503 or 507, never a bare 500."""
    error = database_error(exc)
    log.warning("%s %s: %s: %s", request.method, request.url.path, error.title, exc)
    response = await on_tocsin_error(request, error)
    if isinstance(error, DatabaseUnavailable):
        response.headers["Retry-After"] = "5"
    return response


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field_path(tuple(err.get("loc", ()))), "reason": str(err.get("msg", "invalid"))}
        for err in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
    return problem(
        422,
        "Invalid input",
        summary,
        slug="invalid-input",
        instance=request.url.path,
        extra={"errors": errors},
    )


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem(
        exc.status_code,
        str(exc.detail),
        str(exc.detail),
        slug=f"http-{exc.status_code}",
        instance=request.url.path,
        headers=dict(exc.headers or {}),
    )
