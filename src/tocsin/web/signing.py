"""What the sign-in pages share: a page that keeps the pre-sign-in CSRF binding, safe
`next` paths, and the answer to a browser once its first step is done."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from tocsin.identity.signin import Begun
from tocsin.network.auth import SESSION_COOKIE, client_ip
from tocsin.network.sessions import OpenedSession, Opening
from tocsin.settings import Settings
from tocsin.web.auth import PRE_COOKIE, Visitor, cookie_options
from tocsin.web.render import render

PENDING_COOKIE = "tocsin_pending"  # the second step a browser owes (digest kept)
SECOND_STEP = "/signin/verify"
ENROL = "/account/security"


def page_with_pre(
    request: Request, who: Visitor, template: str, status_code: int = 200, **values: Any
) -> Response:
    """A page for this visitor that sets the pre-sign-in cookie when it is new."""
    response = render(
        request,
        template,
        language=who.language,
        status_code=status_code,
        csrf=who.csrf,
        who=who,
        **values,
    )
    if who.new_pre_nonce:
        options = cookie_options(request.app.state.tocsin.settings)
        response.set_cookie(PRE_COOKIE, who.new_pre_nonce, **options)  # type: ignore[arg-type]
    return response


def safe_next(target: str | None) -> str:
    """Only a local path: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/inbox"


def text_field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def opening_of(
    request: Request, *, via: str = "password", second_factor: str | None = None
) -> Opening:
    """Where this browser signs in from, for the session list and the audit trail."""
    return Opening(
        source_ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        via=via,
        second_factor=second_factor,
    )


def after_opening(opened: OpenedSession, next_path: str) -> str:
    """Where a fresh session goes: enrol a factor, choose an organisation, or on."""
    if opened.row.enrolment_required:
        return ENROL
    return next_path if opened.row.organisation_id else "/organisation"


def set_session_cookie(response: Response, opened: OpenedSession, settings: Settings) -> None:
    options = cookie_options(settings)
    response.set_cookie(SESSION_COOKIE, opened.cookie_value, **options)  # type: ignore[arg-type]
    response.delete_cookie(PRE_COOKIE, path="/")
    response.delete_cookie(PENDING_COOKIE, path="/")


def respond(begun: Begun, next_path: str, settings: Settings) -> Response:
    """After the first step: to the second step, or signed in."""
    if begun.pending_cookie is not None:
        response = RedirectResponse(SECOND_STEP, status_code=303)
        options = cookie_options(settings)
        response.set_cookie(PENDING_COOKIE, begun.pending_cookie, **options)  # type: ignore[arg-type]
        return response
    assert begun.opened is not None
    response = RedirectResponse(after_opening(begun.opened, next_path), status_code=303)
    set_session_cookie(response, begun.opened, settings)
    return response
