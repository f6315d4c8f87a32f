"""The account's open sessions: which browsers, from where, last seen; end one or all the
others (each ending is audited)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from tocsin.deps import SessionDep, StateDep
from tocsin.network import sessions
from tocsin.web.auth import AccountDep
from tocsin.web.render import page
from tocsin.web.security import PostingAccountDep, actor_of

router = APIRouter(include_in_schema=False)


def device_of(user_agent: str | None) -> str:
    """A short name for a browser: its family and system, from the User-Agent."""
    agent = user_agent or ""
    browser = next(
        (
            name
            for key, name in (
                ("Edg/", "Edge"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if key in agent
        ),
        "",
    )
    system = next(
        (
            name
            for key, name in (
                ("Windows", "Windows"),
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Mac OS", "macOS"),
                ("Linux", "Linux"),
            )
            if key in agent
        ),
        "",
    )
    return " · ".join(p for p in (browser, system) if p) or (agent[:60] or "?")


@router.get("/account/sessions")
def sessions_page(
    request: Request, who: AccountDep, session: SessionDep, state: StateDep
) -> Response:
    assert who.user is not None and who.web_session is not None
    rows = sessions.sessions_of(session=session, user_id=who.user.id, now=state.clock.now())
    return page(
        request, who, "sessions.html", rows=rows, current=who.web_session.id, device_of=device_of
    )


@router.post("/account/sessions/{session_id}/end")
def end_one(
    session_id: uuid.UUID,
    request: Request,
    who: PostingAccountDep,
    session: SessionDep,
    state: StateDep,
) -> Response:
    assert who.user is not None and who.web_session is not None
    sessions.end_sessions(
        session=session,
        user_id=who.user.id,
        now=state.clock.now(),
        actor=actor_of(request, who),
        reason="ended by the user",
        only=session_id,
    )
    target = "/signin" if session_id == who.web_session.id else "/account/sessions"
    return RedirectResponse(target, status_code=303)


@router.post("/account/sessions/end-others")
def end_others(
    request: Request, who: PostingAccountDep, session: SessionDep, state: StateDep
) -> Response:
    assert who.user is not None and who.web_session is not None
    sessions.end_sessions(
        session=session,
        user_id=who.user.id,
        now=state.clock.now(),
        actor=actor_of(request, who),
        reason="ended by the user",
        keep=who.web_session.id,
    )
    return RedirectResponse("/account/sessions", status_code=303)
