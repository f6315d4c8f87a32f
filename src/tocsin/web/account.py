"""Pages of the account: first set-up, sign-in, organisation choice, language, sign-out."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from tocsin.audit.service import SYSTEM
from tocsin.demo.seed import Credential, read_credentials
from tocsin.deps import SessionDep, StateDep
from tocsin.errors import InvalidInput
from tocsin.identity import lockout, providers
from tocsin.identity import signin as signin_steps
from tocsin.network import service as network_service
from tocsin.network import sessions
from tocsin.network.auth import SESSION_COOKIE
from tocsin.network.models import OrgKind, Role
from tocsin.settings import Settings
from tocsin.web.auth import FormDep, MemberDep, VisitorDep, check_csrf
from tocsin.web.i18n import LANGUAGES
from tocsin.web.signing import opening_of, page_with_pre, respond, safe_next, text_field

router = APIRouter(include_in_schema=False)
MIN_PASSWORD = 12


@router.get("/")
def home(who: VisitorDep, session: SessionDep) -> Response:
    if not sessions.has_users(session=session):
        return RedirectResponse("/setup", status_code=303)
    return RedirectResponse("/inbox" if who.user else "/signin", status_code=303)


def demo_users(settings: Settings) -> list[Credential]:
    """The demo's users, shown on the sign-in page of a development node seeded by `tocsin demo`."""
    if settings.environment != "development":
        return []
    return read_credentials(settings.data_dir)


@router.get("/signin")
def signin_page(request: Request, who: VisitorDep, session: SessionDep) -> Response:
    if not sessions.has_users(session=session):
        return RedirectResponse("/setup", status_code=303)
    next_path = safe_next(request.query_params.get("next"))
    demo = demo_users(request.app.state.tocsin.settings)
    choices = providers.sign_in_choices(session=session)
    return page_with_pre(
        request,
        who,
        "signin.html",
        next=next_path,
        email="",
        error=None,
        demo=demo,
        providers=choices,
    )


@router.post("/signin")
def signin(
    request: Request, who: VisitorDep, form: FormDep, session: SessionDep, state: StateDep
) -> Response:
    check_csrf(request, who, form)
    email, next_path = text_field(form, "email"), safe_next(text_field(form, "next"))
    now = state.clock.now()
    if wait := lockout.wait_seconds(session=session, email=email, now=now):
        return page_with_pre(
            request,
            who,
            "signin.html",
            429,
            next=next_path,
            email=email,
            error="locked",
            demo=[],
            retry_minutes=wait // 60 + 1,
            providers=[],
        )
    user = sessions.check_password(
        session=session, email=email, password=str(form.get("password") or "")
    )
    if user is None:
        lockout.record_failure(session=session, email=email, now=now)
        return page_with_pre(
            request,
            who,
            "signin.html",
            401,
            next=next_path,
            email=email,
            error="bad",
            demo=demo_users(state.settings),
            providers=providers.sign_in_choices(session=session),
        )
    begun = signin_steps.begin(
        session=session,
        user=user,
        settings=state.settings,
        now=now,
        opening=opening_of(request),
        next_path=next_path,
    )
    return respond(begun, next_path, state.settings)


@router.post("/signout")
def signout(
    request: Request, who: VisitorDep, form: FormDep, session: SessionDep, state: StateDep
) -> Response:
    check_csrf(request, who, form)
    if who.web_session is not None:
        sessions.close_session(session=session, web_session=who.web_session, now=state.clock.now())
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/organisation")
def organisation_page(request: Request, who: VisitorDep, session: SessionDep) -> Response:
    if who.user is None:
        return RedirectResponse("/signin", status_code=303)
    orgs = sessions.organisations_of(session=session, user_id=who.user.id)
    return page_with_pre(request, who, "organisation.html", organisations=orgs)


@router.post("/organisation")
def choose_organisation(
    request: Request, who: VisitorDep, form: FormDep, session: SessionDep
) -> Response:
    check_csrf(request, who, form)
    if who.web_session is None:
        return RedirectResponse("/signin", status_code=303)
    try:
        chosen = uuid.UUID(text_field(form, "organisation_id"))
    except ValueError:
        chosen = uuid.UUID(int=0)
    if not sessions.choose_organisation(
        session=session, web_session=who.web_session, organisation_id=chosen
    ):
        raise HTTPException(status_code=403, detail="you have no role in that organisation")
    return RedirectResponse("/inbox", status_code=303)


@router.post("/language")
def set_language(request: Request, who: MemberDep, form: FormDep) -> Response:
    """The user's own setting, which overrides the browser's preference."""
    check_csrf(request, who, form)
    chosen = text_field(form, "language")
    if who.user is not None:
        who.user.language = chosen if chosen in LANGUAGES else None
    return RedirectResponse(safe_next(text_field(form, "next")), status_code=303)


@router.get("/setup")
def setup_page(request: Request, who: VisitorDep, session: SessionDep) -> Response:
    if sessions.has_users(session=session):
        return RedirectResponse("/signin", status_code=303)
    return page_with_pre(request, who, "setup.html", values={}, errors={})


def _setup_errors(form: FormData) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in ("organisation", "display_name", "email"):
        if not text_field(form, name):
            errors[name] = "required"
    if len(str(form.get("password") or "")) < MIN_PASSWORD:
        errors["password"] = "short"  # noqa: S105 - a message code
    if form.get("password") != form.get("password_again"):
        errors["password_again"] = "different"  # noqa: S105 - a message code
    return errors


@router.post("/setup")
def setup(
    request: Request, who: VisitorDep, form: FormDep, session: SessionDep, state: StateDep
) -> Response:
    """Create the national CERT and its first administrator, once, when nobody exists yet."""
    check_csrf(request, who, form)
    if sessions.has_users(session=session):
        return RedirectResponse("/signin", status_code=303)
    values = {k: text_field(form, k) for k in ("organisation", "display_name", "email")}
    errors = _setup_errors(form)
    if errors:
        return page_with_pre(request, who, "setup.html", 422, values=values, errors=errors)
    now = state.clock.now()
    org = network_service.create_organisation(
        session=session, name=values["organisation"], kind=OrgKind.national, now=now, actor=SYSTEM
    )
    try:
        network_service.create_user(
            session=session,
            email=values["email"],
            display_name=values["display_name"],
            organisation_id=org.id,
            roles=[Role.director, Role.analyst],
            now=now,
            actor=SYSTEM,
            password=str(form.get("password")),
        )
    except InvalidInput:
        errors["email"] = "invalid"
        return page_with_pre(request, who, "setup.html", 422, values=values, errors=errors)
    return RedirectResponse("/signin", status_code=303)
