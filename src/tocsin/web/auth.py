"""Who is behind a browser: the visitor (language, CSRF token, session), the member deps.

The session cookie itself is looked up by `tocsin.network.auth`, below every door.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from tocsin.deps import SessionDep, StateDep
from tocsin.errors import Forbidden
from tocsin.network import sessions
from tocsin.network.auth import client_ip, session_principal, signed_in
from tocsin.network.models import Organisation, User, WebSession
from tocsin.network.principal import Principal
from tocsin.settings import Settings
from tocsin.state import AppState
from tocsin.web.i18n import choose_language

PRE_COOKIE = "tocsin_pre"  # binds the CSRF token of the sign-in and set-up forms
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Visitor:
    """Anyone reading a page: the language chosen and, once signed in, who they are."""

    language: str
    csrf: str
    web_session: WebSession | None = None
    user: User | None = None
    organisation: Organisation | None = None
    principal: Principal | None = None
    new_pre_nonce: str | None = None  # to set as PRE_COOKIE on the response


def cookie_options(settings: Settings) -> dict[str, object]:
    secure = settings.public_url.startswith("https://")
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}


def visitor(request: Request, session: SessionDep, state: StateDep) -> Visitor:
    """Whoever reads the page, signed in or not."""
    return find_visitor(request, session, state)


def find_visitor(request: Request, session: Session, state: AppState) -> Visitor:
    secret = state.settings.secret_key.get_secret_value()
    accept = request.headers.get("accept-language")
    found = signed_in(request, session, state.clock.now())
    if found is None:
        nonce = request.cookies.get(PRE_COOKIE)
        fresh = None if nonce else secrets.token_urlsafe(24)
        language = choose_language(
            user_language=None, accept_language=accept, fallback=state.settings.language
        )
        csrf = sessions.csrf_token(secret, f"pre:{nonce or fresh}")
        return Visitor(language=language, csrf=csrf, new_pre_nonce=fresh)
    row, user, org = found
    language = choose_language(
        user_language=user.language, accept_language=accept, fallback=state.settings.language
    )
    acts = org is not None and not row.enrolment_required
    principal = session_principal(session, row, org, client_ip(request)) if org and acts else None
    return Visitor(
        language=language,
        csrf=sessions.csrf_token(secret, row.digest),
        web_session=row,
        user=user,
        organisation=org,
        principal=principal,
    )


VisitorDep = Annotated[Visitor, Depends(visitor)]


def _redirect(location: str) -> HTTPException:
    # The app maps HTTPException once; the Location header makes it a plain redirect.
    return HTTPException(status_code=303, headers={"Location": location, "HX-Redirect": location})


def account_holder(request: Request, who: VisitorDep) -> Visitor:
    """A signed-in visitor, whatever the session may do yet (the account's own pages)."""
    if who.user is None or who.web_session is None:
        target = request.url.path
        raise _redirect(f"/signin?next={target}" if target.startswith("/") else "/signin")
    return who


AccountDep = Annotated[Visitor, Depends(account_holder)]


def member(request: Request, who: AccountDep) -> Visitor:
    """A signed-in visitor acting for a chosen organisation; others are sent to sign in, and
    a session that owes a second factor is sent to enrol one before any page."""
    assert who.web_session is not None
    if who.web_session.enrolment_required:
        raise _redirect("/account/security")
    if who.organisation is None:
        raise _redirect("/organisation")
    return who


MemberDep = Annotated[Visitor, Depends(member)]


async def read_form(request: Request) -> FormData:
    """The posted form; a NUL character (which PostgreSQL cannot store) is refused here."""
    form = await request.form()
    if any(isinstance(v, str) and "\x00" in v for _, v in form.multi_items()):
        raise HTTPException(status_code=422, detail="a field contains a NUL character")
    return form


FormDep = Annotated[FormData, Depends(read_form)]


def check_csrf(request: Request, who: Visitor, form: FormData) -> None:
    """Refuse a POST whose token is not the one bound to this browser (403)."""
    offered = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    fresh_binding = who.new_pre_nonce is not None  # no cookie came with the form
    if (
        fresh_binding
        or not isinstance(offered, str)
        or not secrets.compare_digest(offered, who.csrf)
    ):
        raise HTTPException(status_code=403, detail="invalid or missing CSRF token")


def posting_member(request: Request, who: MemberDep, form: FormDep) -> Visitor:
    check_csrf(request, who, form)
    return who


PostingMemberDep = Annotated[Visitor, Depends(posting_member)]


def org_id_of(who: Visitor) -> uuid.UUID:
    assert who.organisation is not None  # MemberDep guarantees it
    return who.organisation.id


def principal_of(who: Visitor) -> Principal:
    assert who.principal is not None  # MemberDep guarantees it
    return who.principal


def can_write(who: Visitor) -> bool:
    """Whether this person may act for the organisation (pages hide what they may not do)."""
    try:
        principal_of(who).require_writer()
    except Forbidden:
        return False
    return True
