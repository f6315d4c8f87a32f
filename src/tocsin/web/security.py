"""The account's security page: the authenticator app (QR code and `otpauth://` URI,
confirmed with a code), recovery codes shown once, passkeys, and the password.

A session that owes a second factor may reach these pages and nothing else; enrolling one
frees it. Every enrolment and removal is audited by the identity services.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.deps import SessionDep, StateDep
from tocsin.errors import Conflict, InvalidInput
from tocsin.identity import factors, lockout, passkeys, recovery, totp
from tocsin.network import sessions
from tocsin.network.auth import client_ip
from tocsin.network.secrets import hash_password, verify_password
from tocsin.state import AppState
from tocsin.web.auth import AccountDep, FormDep, Visitor, check_csrf
from tocsin.web.render import page
from tocsin.web.signing import text_field

router = APIRouter(include_in_schema=False)
MIN_PASSWORD = 12


def posting_account(request: Request, who: AccountDep, form: FormDep) -> Visitor:
    check_csrf(request, who, form)
    return who


PostingAccountDep = Annotated[Visitor, Depends(posting_account)]


def actor_of(request: Request, who: Visitor) -> Actor:
    assert who.user is not None
    org = who.organisation.id if who.organisation else None
    return Actor(user_id=who.user.id, org_id=org, source_ip=client_ip(request))


def qr_data_uri(text: str) -> str:
    """The QR code of `text` as an SVG `data:` URI (the pages allow `img-src data:`)."""
    return str(segno.make(text, error="m").svg_data_uri(scale=5, border=2))


def _page(
    request: Request,
    who: Visitor,
    session: Session,
    state: AppState,
    status: int = 200,
    **values: Any,
) -> Response:
    assert who.user is not None and who.web_session is not None
    held = factors.factors_of(session=session, user_id=who.user.id)
    enrolling: dict[str, str] = {}
    if held.totp_pending:
        app = totp.factor_of(session=session, user_id=who.user.id)
        assert app is not None
        secret = totp.secret_of(app, state.settings.secret_key.get_secret_value())
        uri = totp.provisioning_uri(secret=secret, email=who.user.email)
        enrolling = {"secret": secret, "uri": uri, "qr": qr_data_uri(uri)}
    required = factors.required_for(
        session=session,
        user_id=who.user.id,
        policy=state.settings.effective_mfa_required,
        now=state.clock.now(),
    )
    values.setdefault("errors", {})
    return page(
        request,
        who,
        "security.html",
        status,
        factors=held,
        enrolling=enrolling,
        required=required,
        owes=who.web_session.enrolment_required,
        **values,
    )


@router.get("/account/security")
def security_page(
    request: Request, who: AccountDep, session: SessionDep, state: StateDep
) -> Response:
    return _page(request, who, session, state)


def _enrolled(who: Visitor, method: str) -> None:
    """The session that enrolled counts as passed with this factor (and may now act)."""
    assert who.web_session is not None
    who.web_session.second_factor = method
    who.web_session.enrolment_required = False


@router.post("/account/security/totp")
def start_totp(
    request: Request, who: PostingAccountDep, session: SessionDep, state: StateDep
) -> Response:
    assert who.user is not None
    totp.start_enrolment(
        session=session,
        user=who.user,
        now=state.clock.now(),
        secret_key=state.settings.secret_key.get_secret_value(),
    )
    return RedirectResponse("/account/security#totp", status_code=303)


@router.post("/account/security/totp/confirm")
def confirm_totp(
    request: Request, who: PostingAccountDep, form: FormDep, session: SessionDep, state: StateDep
) -> Response:
    assert who.user is not None
    now = state.clock.now()
    try:
        totp.confirm(
            session=session,
            user=who.user,
            code=text_field(form, "code"),
            now=now,
            secret_key=state.settings.secret_key.get_secret_value(),
            actor=actor_of(request, who),
        )
    except InvalidInput as refused:
        errors = {e.field: e.reason for e in refused.errors}
        return _page(request, who, session, state, 422, errors=errors)
    _enrolled(who, "totp")
    codes = recovery.issue(session=session, user=who.user, now=now, actor=actor_of(request, who))
    return _page(request, who, session, state, recovery_codes=codes)


@router.post("/account/security/totp/remove")
def remove_totp(
    request: Request, who: PostingAccountDep, session: SessionDep, state: StateDep
) -> Response:
    assert who.user is not None
    held = factors.factors_of(session=session, user_id=who.user.id)
    factors.check_removable(
        session=session,
        user_id=who.user.id,
        now=state.clock.now(),
        policy=state.settings.effective_mfa_required,
        remaining=len(held.passkeys),
    )
    totp.remove(session=session, user=who.user, now=state.clock.now(), actor=actor_of(request, who))
    return RedirectResponse("/account/security", status_code=303)


@router.post("/account/security/recovery-codes")
def new_recovery_codes(
    request: Request, who: PostingAccountDep, session: SessionDep, state: StateDep
) -> Response:
    assert who.user is not None
    if not factors.factors_of(session=session, user_id=who.user.id).any:
        raise Conflict("recovery codes come with a second factor: enrol one first")
    codes = recovery.issue(
        session=session, user=who.user, now=state.clock.now(), actor=actor_of(request, who)
    )
    return _page(request, who, session, state, recovery_codes=codes)


@router.post("/account/security/passkeys/options")
def passkey_options(
    request: Request, who: PostingAccountDep, session: SessionDep, state: StateDep
) -> Response:
    assert who.user is not None and who.web_session is not None
    options = passkeys.registration_options(
        session=session,
        web_session=who.web_session,
        user=who.user,
        now=state.clock.now(),
        rp=passkeys.RelyingParty.of(state.settings.public_url),
    )
    return Response(options, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.post("/account/security/passkeys")
def add_passkey(
    request: Request, who: PostingAccountDep, form: FormDep, session: SessionDep, state: StateDep
) -> Response:
    assert who.user is not None and who.web_session is not None
    owed = who.web_session.enrolment_required
    try:
        passkeys.register(
            session=session,
            web_session=who.web_session,
            user=who.user,
            credential=text_field(form, "credential"),
            name=text_field(form, "name"),
            rp=passkeys.RelyingParty.of(state.settings.public_url),
            now=state.clock.now(),
            actor=actor_of(request, who),
        )
    except InvalidInput as refused:
        return JSONResponse({"error": refused.errors[0].reason}, status_code=422)
    _enrolled(who, "passkey")
    target = "/account/security"
    if owed:
        target = "/inbox" if who.web_session.organisation_id else "/organisation"
    return JSONResponse({"redirect": target})


@router.post("/account/security/passkeys/{passkey_id}/remove")
def remove_passkey(
    passkey_id: uuid.UUID,
    request: Request,
    who: PostingAccountDep,
    session: SessionDep,
    state: StateDep,
) -> Response:
    assert who.user is not None
    held = factors.factors_of(session=session, user_id=who.user.id)
    factors.check_removable(
        session=session,
        user_id=who.user.id,
        now=state.clock.now(),
        policy=state.settings.effective_mfa_required,
        remaining=int(held.totp) + len(held.passkeys) - 1,
    )
    passkeys.remove(
        session=session,
        user=who.user,
        passkey_id=passkey_id,
        now=state.clock.now(),
        actor=actor_of(request, who),
    )
    return RedirectResponse("/account/security", status_code=303)


def _password_errors(who: Visitor, current: str, new: str, again: str) -> dict[str, str]:
    assert who.user is not None
    errors: dict[str, str] = {}
    if not who.user.password_hash or not verify_password(who.user.password_hash, current):
        errors["current_password"] = "wrong"  # noqa: S105 - a message code
    if len(new) < MIN_PASSWORD:
        errors["new_password"] = "short"  # noqa: S105 - a message code
    elif new != again:
        errors["new_password_again"] = "different"  # noqa: S105 - a message code
    return errors


@router.post("/account/password")
def change_password(
    request: Request, who: PostingAccountDep, form: FormDep, session: SessionDep, state: StateDep
) -> Response:
    """A new password ends every other session of the account (audited)."""
    assert who.user is not None and who.web_session is not None
    now = state.clock.now()
    if lockout.wait_seconds(session=session, email=who.user.email, now=now):
        return _page(request, who, session, state, 429, errors={"current_password": "locked"})
    new, again = str(form.get("new_password") or ""), str(form.get("new_password_again") or "")
    errors = _password_errors(who, str(form.get("current_password") or ""), new, again)
    if errors:
        if "current_password" in errors:
            lockout.record_failure(session=session, email=who.user.email, now=now)
        return _page(request, who, session, state, 422, errors=errors)
    who.user.password_hash = hash_password(new)
    actor = actor_of(request, who)
    sessions.end_sessions(
        session=session,
        user_id=who.user.id,
        now=now,
        actor=actor,
        reason="password changed",
        keep=who.web_session.id,
    )
    return _page(request, who, session, state, notice="password_changed")
