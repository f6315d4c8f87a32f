"""The second step of signing in: a code (authenticator app or recovery code) or a passkey.

No session exists until it passes. Wrong answers count towards the account's lockout (the
same as wrong passwords), are throttled per address like them, and are audited.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from tocsin.deps import SessionDep, StateDep
from tocsin.identity import lockout, passkeys, recovery, signin, totp
from tocsin.identity.factors import factors_of
from tocsin.identity.models import PendingSignIn
from tocsin.network.auth import client_ip
from tocsin.network.models import User
from tocsin.state import AppState
from tocsin.web.auth import FormDep, Visitor, VisitorDep, check_csrf
from tocsin.web.i18n import N_, translations
from tocsin.web.signing import (
    PENDING_COOKIE,
    after_opening,
    opening_of,
    page_with_pre,
    set_session_cookie,
    text_field,
)

router = APIRouter(include_in_schema=False)


def _pending(request: Request, session: Session, state: AppState) -> PendingSignIn | None:
    cookie = request.cookies.get(PENDING_COOKIE)
    if not cookie:
        return None
    return signin.find_pending(session=session, cookie_value=cookie, now=state.clock.now())


def _form(
    request: Request,
    who: Visitor,
    session: Session,
    pending: PendingSignIn,
    status: int = 200,
    error: str | None = None,
    minutes: int = 0,
) -> Response:
    factors = factors_of(session=session, user_id=pending.user_id)
    return page_with_pre(
        request,
        who,
        "signin_verify.html",
        status,
        error=error,
        has_totp=factors.totp,
        has_passkeys=bool(factors.passkeys),
        retry_minutes=minutes,
    )


@router.get("/signin/verify")
def verify_page(
    request: Request, who: VisitorDep, session: SessionDep, state: StateDep
) -> Response:
    pending = _pending(request, session, state)
    if pending is None:
        return RedirectResponse("/signin", status_code=303)
    return _form(request, who, session, pending)


@router.post("/signin/verify")
def verify(
    request: Request, who: VisitorDep, form: FormDep, session: SessionDep, state: StateDep
) -> Response:
    check_csrf(request, who, form)
    pending = _pending(request, session, state)
    if pending is None:
        return RedirectResponse("/signin", status_code=303)
    user = session.get(User, pending.user_id)
    assert user is not None  # the pending row goes with the user
    now = state.clock.now()
    if wait := lockout.wait_seconds(session=session, email=user.email, now=now):
        return _form(request, who, session, pending, 429, "locked", wait // 60 + 1)
    code = text_field(form, "code")
    secret_key = state.settings.secret_key.get_secret_value()
    method = None
    if totp.check(session=session, user_id=user.id, secret_key=secret_key, code=code, now=now):
        method = "totp"
    elif code and recovery.use(session=session, user_id=user.id, code=code, now=now):
        method = "recovery"
    if method is None:
        locked = signin.second_step_failed(
            session=session,
            pending=pending,
            user=user,
            now=now,
            source_ip=client_ip(request),
            method="code",
        )
        if locked:
            return _form_locked(request, who)
        return _form(request, who, session, pending, 401, "bad")
    next_path = pending.next_path
    opened = signin.finish(
        session=session,
        pending=pending,
        user=user,
        settings=state.settings,
        now=now,
        opening=opening_of(request, second_factor=method),
    )
    response = RedirectResponse(after_opening(opened, next_path), status_code=303)
    set_session_cookie(response, opened, state.settings)
    return response


def _form_locked(request: Request, who: Visitor) -> Response:
    minutes = int(lockout.LOCK_PERIOD.total_seconds() // 60)
    return page_with_pre(
        request,
        who,
        "signin_verify.html",
        429,
        error="locked",
        has_totp=False,
        has_passkeys=False,
        retry_minutes=minutes,
    )


def _refusal(who: Visitor, message: str, status: int) -> Response:
    """An answer to the passkey script, which shows `error` as it is: in the reader's
    language."""
    text = translations(who.language).gettext(message)
    return JSONResponse({"error": text}, status_code=status, headers={"Cache-Control": "no-store"})


def _ceremony_pending(
    request: Request, who: Visitor, form: FormData, session: Session, state: AppState
) -> PendingSignIn | Response:
    """Both passkey steps start alike: a form from this page, for a sign-in still pending."""
    check_csrf(request, who, form)
    pending = _pending(request, session, state)
    if pending is None:
        return _refusal(who, N_("The sign-in expired: start again."), 401)
    return pending


@router.post("/signin/passkey/options")
def passkey_options(
    request: Request, who: VisitorDep, form: FormDep, session: SessionDep, state: StateDep
) -> Response:
    pending = _ceremony_pending(request, who, form, session, state)
    if not isinstance(pending, PendingSignIn):
        return pending
    rp = passkeys.RelyingParty.of(state.settings.public_url)
    options = passkeys.authentication_options(session=session, pending=pending, rp=rp)
    return Response(options, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.post("/signin/passkey")
def passkey(
    request: Request, who: VisitorDep, form: FormDep, session: SessionDep, state: StateDep
) -> Response:
    pending = _ceremony_pending(request, who, form, session, state)
    if not isinstance(pending, PendingSignIn):
        return pending
    user = session.get(User, pending.user_id)
    assert user is not None
    now = state.clock.now()
    if lockout.wait_seconds(session=session, email=user.email, now=now):
        return _refusal(who, N_("Too many failures: try again later."), 429)
    rp = passkeys.RelyingParty.of(state.settings.public_url)
    key = passkeys.authenticate(
        session=session, pending=pending, rp=rp, now=now, credential=text_field(form, "credential")
    )
    if key is None:
        signin.second_step_failed(
            session=session,
            pending=pending,
            user=user,
            now=now,
            source_ip=client_ip(request),
            method="passkey",
        )
        return _refusal(who, N_("This key was not accepted."), 401)
    next_path = pending.next_path
    opened = signin.finish(
        session=session,
        pending=pending,
        user=user,
        settings=state.settings,
        now=now,
        opening=opening_of(request, second_factor="passkey"),
    )
    response = JSONResponse({"redirect": after_opening(opened, next_path)})
    set_session_cookie(response, opened, state.settings)
    return response
