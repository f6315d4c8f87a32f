"""Who is calling: an API token (`Authorization: Bearer`, or HTTP Basic for TAXII clients)
or a signed-in browser (the session cookie). The one place a request is authenticated.

Below every door: the API routes take `PrincipalDep`, the live stream takes
`TokenOrBrowserDep` (EventSource cannot send an Authorization header), and the pages build
their visitor on `signed_in`.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from tocsin.deps import NowDep, SessionDep
from tocsin.errors import Unauthenticated
from tocsin.network import service as network_service
from tocsin.network import sessions
from tocsin.network.models import Organisation, Role, Scope, User, WebSession
from tocsin.network.principal import WRITER_ROLES, Principal
from tocsin.sharing.rules import Network

SESSION_COOKIE = "tocsin_session"


def bearer_secret(request: Request) -> str | None:
    """The token from `Authorization: Bearer T` or, for TAXII clients, HTTP Basic (user:T)."""
    return secret_of_header(request.headers.get("authorization", ""))


def secret_of_header(header: str) -> str | None:
    """The token an Authorization header carries, if any."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        _, sep, password = decoded.partition(":")
        return password if sep and password else None
    return None


def header_still_authenticates(session: Session, header: str, now: datetime) -> bool:
    """False when an Authorization header carries a token that no longer authenticates
    (revoked, expired, its person gone); True when it carries none."""
    secret = secret_of_header(header)
    if secret is None:
        return True
    try:
        network_service.authenticate(session=session, secret=secret, now=now)
    except Unauthenticated:
        return False
    return True


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def token_principal(request: Request, session: SessionDep, now: NowDep) -> Principal:
    secret = bearer_secret(request)
    if secret is None:
        raise Unauthenticated("send a token: Authorization: Bearer <token>")
    return network_service.authenticate(
        session=session, secret=secret, now=now, source_ip=client_ip(request)
    )


PrincipalDep = Annotated[Principal, Depends(token_principal)]


def get_network(session: SessionDep) -> Network:
    return network_service.load_network(session=session)


NetworkDep = Annotated[Network, Depends(get_network)]


def signed_in(
    request: Request, session: Session, now: datetime
) -> tuple[WebSession, User, Organisation | None] | None:
    """The live session of this browser, its user and chosen organisation, if any. A session
    that owes a second-factor enrolment is returned too: the pages send it to enrol."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    settings = request.app.state.tocsin.settings
    idle = timedelta(minutes=settings.session_idle_minutes)
    row = sessions.find_session(session=session, cookie_value=cookie, now=now, idle=idle)
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    org = session.get(Organisation, row.organisation_id) if row.organisation_id else None
    return row, user, org


def session_principal(
    session: Session, row: WebSession, org: Organisation, source_ip: str | None
) -> Principal:
    """A signed-in person acting for the chosen organisation: read, and write if their role
    there may act for it."""
    roles = network_service.roles_in(session=session, user_id=row.user_id, organisation_id=org.id)
    scopes = {Scope.read} | ({Scope.write} if roles & WRITER_ROLES else set())
    return Principal(
        token_id=row.id,
        org_id=org.id,
        org_kind=org.kind.value,
        user_id=row.user_id,
        scopes=frozenset(scopes),
        roles=frozenset(Role(r) for r in roles),
        source_ip=source_ip,
    )


def token_or_browser(request: Request, session: SessionDep, now: NowDep) -> Principal:
    """A bearer token (machines) or a signed-in browser that chose an organisation."""
    if bearer_secret(request) is not None:
        return token_principal(request, session, now)
    row, _, org = signed_in(request, session, now) or (None, None, None)
    if row is None or org is None or row.enrolment_required:
        raise Unauthenticated("send a token (Authorization: Bearer) or sign in")
    return session_principal(session, row, org, client_ip(request))


TokenOrBrowserDep = Annotated[Principal, Depends(token_or_browser)]
