"""Typed FastAPI dependencies of the ground floor: the node, its settings, clock and session.

The request owns its transaction: commit on success only. Who is calling (a token or a
signed-in browser) is the network package's business: `tocsin.network.auth`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from tocsin.clock import Clock
from tocsin.settings import Settings
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


def now(clock: ClockDep) -> datetime:
    return clock.now()


NowDep = Annotated[datetime, Depends(now)]
