"""Single sign-on pages: send the browser to the organisation's OpenID Connect provider,
and take it back. Every refusal is a page that says why, creates nothing, and is audited."""

from __future__ import annotations

import hashlib
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.deps import SessionDep, StateDep
from tocsin.identity import oidc, providers, signin, sso
from tocsin.identity.models import IdentityProvider, SsoLogin
from tocsin.identity.oidc import SsoRefused
from tocsin.network.auth import client_ip
from tocsin.state import AppState
from tocsin.web.auth import Visitor, VisitorDep, cookie_options
from tocsin.web.signing import opening_of, page_with_pre, respond, safe_next

router = APIRouter(include_in_schema=False)
SSO_COOKIE = "tocsin_sso"  # binds an authorization request to the browser that made it


def _claims_of(
    request: Request, session: Session, state: AppState, login: SsoLogin
) -> tuple[IdentityProvider, sso.Signed]:
    provider = session.get(IdentityProvider, login.provider_id)
    if provider is None:
        raise SsoRefused("state", "the identity provider was removed")
    if error := request.query_params.get("error"):
        raise SsoRefused("provider_error", error[:200])
    code = request.query_params.get("code")
    if not code:
        raise SsoRefused("code", "the provider sent no authorization code")
    client = sso.client_of(provider, state.settings)
    tokens = oidc.exchange_code(client, code=code, code_verifier=login.code_verifier)
    now = state.clock.now()
    claims = sso.claims_of(client, provider, tokens=tokens, nonce=login.nonce, now=now)
    signed = sso.person_of(
        session=session, provider=provider, claims=claims, now=now, source_ip=client_ip(request)
    )
    return provider, signed


@router.get(sso.CALLBACK)
def callback(request: Request, session: SessionDep, state: StateDep, who: VisitorDep) -> Response:
    now = state.clock.now()
    provider: IdentityProvider | None = None
    try:
        login = sso.take(
            session=session,
            state=request.query_params.get("state") or "",
            binding=request.cookies.get(SSO_COOKIE),
            now=now,
        )
        next_path, provider_id = login.next_path, login.provider_id
        provider = session.get(IdentityProvider, provider_id)
        provider, signed = _claims_of(request, session, state, login)
    except SsoRefused as refused:
        return _refused(request, who, session, state, refused, provider)
    second = "idp" if signed.mfa else None
    begun = signin.begin(
        session=session,
        user=signed.user,
        settings=state.settings,
        now=now,
        opening=opening_of(request, via=f"sso:{provider.slug}", second_factor=second),
        next_path=next_path,
    )
    response = respond(begun, next_path, state.settings)
    response.delete_cookie(SSO_COOKIE, path="/")
    return response


# After the callback: a slug named `callback` would otherwise shadow it.
@router.get("/signin/sso/{slug}")
def start(
    slug: str, request: Request, session: SessionDep, state: StateDep, who: VisitorDep
) -> Response:
    provider = providers.by_slug(session=session, slug=slug)
    binding = secrets.token_urlsafe(32)
    try:
        url = sso.start(
            session=session,
            provider=provider,
            settings=state.settings,
            binding=binding,
            next_path=safe_next(request.query_params.get("next")),
            now=state.clock.now(),
        )
    except SsoRefused as refused:
        return _refused(request, who, session, state, refused, provider)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        SSO_COOKIE,
        binding,
        max_age=int(sso.LOGIN_TIME.total_seconds()),
        **cookie_options(state.settings),  # type: ignore[arg-type]
    )
    return response


def _refused(
    request: Request,
    who: Visitor,
    session: Session,
    state: AppState,
    refused: SsoRefused,
    provider: IdentityProvider | None,
) -> Response:
    """Undo whatever the attempt wrote, spend its state, audit the refusal, say why."""
    provider_id = provider.id if provider else None
    org_id = provider.organisation_id if provider else None
    slug = provider.slug if provider else ""
    session.rollback()
    if state_param := request.query_params.get("state"):
        digest = hashlib.sha256(state_param.encode()).hexdigest()
        session.execute(delete(SsoLogin).where(SsoLogin.state_digest == digest))
    audit(
        session=session,
        actor=Actor(source_ip=client_ip(request)),
        action="identity.sso_refused",
        target_type="identity_provider",
        target_id=str(provider_id or "unknown"),
        at=state.clock.now(),
        concerns=[org_id],
        details={"provider": slug, "reason": refused.reason, "detail": refused.detail[:300]},
    )
    status = 502 if refused.reason in ("provider_unreachable", "token_exchange") else 403
    response = page_with_pre(request, who, "signin_refused.html", status, reason=refused.reason)
    response.delete_cookie(SSO_COOKIE, path="/")
    return response
