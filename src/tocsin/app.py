"""`create_app(settings)`: the whole node built from settings, nothing at import time.

The top of the house: the routers of every package, the periodic jobs, the error mapping
(problem+json for the API, pages for the browser) and the lifespan that starts the bus, the
delivery dispatchers (told what a delivery means by the publication layer) and the jobs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from tocsin import __version__, problems
from tocsin.briefing.api import router as briefing_router
from tocsin.delivery.api import router as delivery_router
from tocsin.delivery.runtime import start_delivery, stop_delivery
from tocsin.deps import StateDep
from tocsin.errors import TocsinError
from tocsin.exchange import taxii_pull
from tocsin.exchange.api import router as exchange_router
from tocsin.exercises import tasks as exercise_tasks
from tocsin.exercises.api import router as exercises_router
from tocsin.idempotency import Idempotency
from tocsin.identity.api import router as identity_router
from tocsin.intel.api import router as intel_router
from tocsin.interop.feeds import router as feeds_router
from tocsin.interop.taxii import alert_feed
from tocsin.interop.taxii.api import router as taxii_router
from tocsin.jobs import Job
from tocsin.limits import BodySizeLimit, RejectNul
from tocsin.network.api import router as network_router
from tocsin.network.auth import header_still_authenticates
from tocsin.obligations.reminders import REMINDER_JOB
from tocsin.obligations.service import rules_of as obligation_rules
from tocsin.observability import RequestId
from tocsin.oncall.api import router as oncall_router
from tocsin.posture.api import router as posture_router
from tocsin.publication.api import router as alerts_router
from tocsin.publication.receipts import on_delivered
from tocsin.ratelimit import RateLimit
from tocsin.relay.api import router as relay_router
from tocsin.relay.obligation_routes import router as obligation_router
from tocsin.relay.tasks import DEADLINE_JOB
from tocsin.responses import escalation
from tocsin.responses.api import router as responses_router
from tocsin.scheduler import Scheduler
from tocsin.settings import Settings
from tocsin.state import AppState, build_state
from tocsin.trail import anchoring
from tocsin.trail.api import router as audit_router
from tocsin.web import tasks as web_tasks
from tocsin.web.pages import router as web_router
from tocsin.web.render import problem_page

ROUTERS = [
    network_router,
    identity_router,
    alerts_router,
    audit_router,
    relay_router,
    responses_router,
    delivery_router,
    exchange_router,
    taxii_router,
    feeds_router,
    intel_router,
    posture_router,
    oncall_router,
    briefing_router,
    exercises_router,
    obligation_router,
    web_router,
]


# Where answers are problem+json; every other path is a page for a person.
MACHINE_PATHS = ("/api/", "/taxii2", "/healthz", "/readyz")


def node_jobs() -> list[Job]:
    """Every periodic job of a node."""
    return [
        DEADLINE_JOB,
        escalation.job(),
        *web_tasks.jobs(),
        anchoring.job(),
        exercise_tasks.job(),
        REMINDER_JOB,
        taxii_pull.job(),
        alert_feed.job(),
    ]


async def on_tocsin_error(request: Request, exc: Exception) -> Response:
    """A refusal: problem+json for machines, a page that says why for people."""
    assert isinstance(exc, TocsinError)
    if request.url.path.startswith(MACHINE_PATHS):
        return await problems.on_tocsin_error(request, exc)
    return problem_page(request, exc)


def create_app(settings: Settings | None = None, *, state: AppState | None = None) -> FastAPI:
    """The HTTP application of one tocsin node."""
    settings = settings or (state.settings if state else Settings())
    app_state = state or build_state(settings)
    with app_state.sessions() as session:  # a bad table of regulatory steps stops the start
        obligation_rules(session)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = Scheduler(app_state, node_jobs()) if settings.run_workers else None
        if scheduler:
            scheduler.start()
        delivery = await start_delivery(app_state, on_delivered=on_delivered)
        try:
            yield
        finally:
            await stop_delivery(app_state, delivery)
            if scheduler:
                await scheduler.stop()
            if state is None:  # we built the engine, we dispose of it
                app_state.engine.dispose()

    app = FastAPI(
        title="tocsin",
        version=__version__,
        description="Real-time cyber-alert and incident-sharing hub for healthcare establishments.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by web.static from the npm package, not from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.tocsin = app_state
    app.add_exception_handler(TocsinError, on_tocsin_error)
    # OperationalError: connection lost, server restarting, disk full; TimeoutError: no
    # connection free in the pool. Both are the database's state, not the request's.
    app.add_exception_handler(OperationalError, problems.on_database_error)
    app.add_exception_handler(PoolTimeout, problems.on_database_error)
    app.add_exception_handler(RequestValidationError, problems.on_validation_error)
    app.add_exception_handler(StarletteHTTPException, problems.on_http_error)
    # The last middleware added is the outermost: the size limit runs before anything buffers.
    app.add_middleware(
        Idempotency, sessions=app_state.sessions, clock=app_state.clock,
        still_authenticates=header_still_authenticates,
    )  # fmt: skip
    app.add_middleware(RejectNul)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimit,
        writes_per_minute=settings.rate_limit_writes_per_minute,
        auth_failures_per_minute=settings.rate_limit_auth_failures_per_minute,
        clock=app_state.clock,
    )
    app.add_middleware(RequestId)
    for router in ROUTERS:
        app.include_router(router)
    _add_probes(app)
    return app


def _add_probes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"])
    def alive() -> dict[str, str]:
        """The process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"description": "not ready"}})
    async def ready(state: StateDep) -> JSONResponse:
        """The database and the bus are reachable."""
        checks: dict[str, str] = {}
        try:
            with state.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # any failure means "not ready", with the reason
            checks["database"] = f"error: {type(exc).__name__}"
        bus = state.bus
        checks["bus"] = "ok" if bus is None or await bus.ping() else "error: unreachable"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "error", **checks}, 200 if ok else 503)
