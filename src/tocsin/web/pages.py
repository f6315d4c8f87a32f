"""All the page routes of the web interface, gathered for `app.ROUTERS`."""

from __future__ import annotations

from fastapi import APIRouter

from tocsin.web import (
    account,
    briefing,
    clocks,
    composer,
    dashboard,
    declaring,
    exercise_pages,
    exports,
    inbox,
    notifications_page,
    offline,
    relay_board,
    responding,
    second_step,
    security,
    sessions_page,
    sso,
    static,
)

router = APIRouter(include_in_schema=False)
for part in (static.router, account.router, second_step.router, sso.router, security.router,
             sessions_page.router, inbox.router, composer.router, dashboard.router,
             responding.router, relay_board.router, declaring.router, exports.router,
             briefing.router, offline.router, exercise_pages.router,
             notifications_page.router, clocks.router):  # fmt: skip
    router.include_router(part)
