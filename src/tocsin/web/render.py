"""Rendering pages: one Jinja2 environment, translations per request, security headers,
and the problems of `tocsin.errors` as readable pages (the HTML twin of `tocsin.problems`)."""

from __future__ import annotations

import functools
import gettext
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from tocsin import localtime
from tocsin.db import transaction
from tocsin.errors import InvalidInput, NotFound, RateLimited, TocsinError
from tocsin.indicators.attack import technique_url
from tocsin.indicators.types import IndicatorError
from tocsin.marking import exercise_word, shown_title
from tocsin.settings import Settings
from tocsin.sharing.tlp import TLP, TLP_COLOURS
from tocsin.state import AppState
from tocsin.web.auth import Visitor, find_visitor
from tocsin.web.i18n import translations

TEMPLATES_DIR = Path(__file__).parent / "templates"

# No inline script or style anywhere: every script is a static file from our origin.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def security_headers(settings: Settings) -> dict[str, str]:
    """Headers every page carries; HSTS only when the public URL is served over TLS."""
    headers = {
        "Content-Security-Policy": CSP,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    if settings.public_url.startswith("https://"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def _attack_link(technique: str | None) -> str | None:
    if not technique:
        return None
    try:
        return technique_url(technique)
    except IndicatorError:
        return None


def _tlp_colour(tlp: str) -> str:
    return TLP_COLOURS[TLP(tlp)]


@pass_context
def _when(context: Context, moment: datetime | str | None) -> str:
    """A stored moment (aware, or its ISO text) on the hub's clock in the reader's words."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return localtime.moment_text(moment, zone_name=context["time_zone"], language=context["lang"])


@pass_context
def _duration(context: Context, moment: datetime) -> str:
    """How far a moment is from now, either way: `2 h 05 min`."""
    return localtime.duration_text(abs(moment - context["now"]), context["lang"])


@pass_context
def _countdown(context: Context, moment: datetime | None) -> str:
    """`dans 25 min` before a deadline, `en retard de 1 h 05 min` after it."""
    if moment is None:
        return ""
    now: datetime = context["now"]
    gettext = context["_"]
    span = localtime.duration_text(abs(moment - now), context["lang"])
    text: str = gettext("in %(span)s") if moment > now else gettext("overdue by %(span)s")
    return text % {"span": span}


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        attack_link=_attack_link,
        tlp_colour=_tlp_colour,
        when=_when,
        countdown=_countdown,
        duration=_duration,
    )
    env.globals.update(shown_title=shown_title, exercise_word=exercise_word)
    return env


def render(
    request: Request,
    template: str,
    *,
    language: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> Response:
    """A page in the reader's language, with the security headers."""
    catalogue: gettext.GNUTranslations = translations(language)
    state: AppState = request.app.state.tocsin
    settings = state.settings
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            lang=language,
            time_zone=settings.time_zone,
            _=catalogue.gettext,
            ngettext=catalogue.ngettext,
            **({"now": state.clock.now()} | values),
        )
    )
    all_headers = security_headers(settings) | (headers or {})
    return HTMLResponse(html, status_code=status_code, headers=all_headers)


def page(
    request: Request, who: Visitor, template: str, status_code: int = 200, **values: Any
) -> Response:
    """A page for this visitor: language, CSRF token and who is signed in."""
    return render(request, template, language=who.language, status_code=status_code,
                  csrf=who.csrf, who=who, **values)  # fmt: skip


def not_found_page(request: Request, who: Visitor) -> Response:
    """The same page whether the thing is absent or hidden from this organisation."""
    return page(request, who, "not_found.html", status_code=404)


def refused_page(request: Request, who: Visitor) -> Response:
    """A change asked by an account that may only read: said plainly, 403."""
    text = translations(who.language).gettext(
        "Your account may read but not act for your organisation: ask your security officer."
    )
    return page(request, who, "message.html", 403, message=text)


def problem_page(request: Request, exc: TocsinError) -> Response:
    """A refusal raised anywhere under a page route, as a page that says why.

    The request's transaction was rolled back and its session closed, so the visitor (who
    is signed in, in which language) is found again in a short transaction of its own."""
    state: AppState = request.app.state.tocsin
    with transaction(state.sessions) as session:
        who = find_visitor(request, session, state)
        if isinstance(exc, NotFound):
            return not_found_page(request, who)
        message = exc.detail
        if isinstance(exc, InvalidInput):
            message = "; ".join(e.reason for e in exc.errors) or exc.detail
        answer = page(request, who, "message.html", exc.status, message=message)
    if isinstance(exc, RateLimited):
        answer.headers["Retry-After"] = str(exc.retry_after)
    return answer
