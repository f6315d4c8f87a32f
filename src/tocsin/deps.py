"""Typed FastAPI dependencies. The request owns its transaction: commit on success only."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from tocsin.clock import Clock
from tocsin.errors import Unauthenticated
from tocsin.network import service as network_service
from tocsin.network.principal import Principal
from tocsin.settings import Settings
from tocsin.sharing.rules import Network
from tocsin.state import AppState


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.tocsin
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings(state: StateDep) -> Settings:
    return state.settings


def get_clock(state: StateDep) -> Clock:
    return state.clock


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def get_session(state: StateDep) -> Iterator[Session]:
    session = state.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": commit before the response leaves, so a 2xx always means "stored".
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def bearer_secret(request: Request) -> str | None:
    """The token from `Authorization: Bearer T` or, for TAXII clients, HTTP Basic (user:T)."""
    header = request.headers.get("authorization", "")
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


def get_principal(request: Request, session: SessionDep, clock: ClockDep) -> Principal:
    secret = bearer_secret(request)
    if secret is None:
        raise Unauthenticated("send a token: Authorization: Bearer <token>")
    client = request.client.host if request.client else None
    return network_service.authenticate(
        session=session, secret=secret, now=clock.now(), source_ip=client
    )


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_network(session: SessionDep) -> Network:
    return network_service.load_network(session=session)


NetworkDep = Annotated[Network, Depends(get_network)]


def now(clock: ClockDep) -> datetime:
    return clock.now()


NowDep = Annotated[datetime, Depends(now)]
