"""Declaring an incident from the browser: the regulator's four blocks, fast under stress.

Only the title and the category are required. The form saves itself (autosave) as soon as
those two are there, so a declaration survives a closed tab; the fields map one to one onto
the API's `DeclarationIn` (named with dots: `description.summary`), which validates them.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from tocsin.alerts.vocab import CareService, Category, Severity
from tocsin.deps import NetworkDep, NowDep, SessionDep, SettingsDep
from tocsin.errors import Conflict, Forbidden, InvalidInput, NotFound
from tocsin.network.principal import Principal
from tocsin.relay import publishing
from tocsin.relay import service as relay_service
from tocsin.relay.api import RELAY_ANALYST_ROLES
from tocsin.relay.api import _policy as relay_policy
from tocsin.relay.schemas import ApplyIn, DeclarationIn, DeclarationPatch, QualifyIn
from tocsin.relay.vocab import HandlingStatus, Nature, RegulatoryCategory
from tocsin.settings import Settings
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP
from tocsin.web.auth import FormDep, MemberDep, PostingMemberDep, principal_of
from tocsin.web.inbox import not_found_page, page

router = APIRouter(include_in_schema=False)

LISTS = {"description.systems", "impacts.care.services"}  # comma-separated in the form
FLAGS = {"impacts.personal_data", "impacts.care.degraded_mode", "causes.known",
         "identity.essential_services_operator", "anonymous"}  # fmt: skip
DATES = {"description.discovered_at"}  # a datetime-local field, read as UTC


def _nested(form: FormData) -> dict[str, Any]:
    """The posted fields as the nested document DeclarationIn reads; empty ones left out."""
    document: dict[str, Any] = {}
    for name, raw in form.multi_items():
        if name in ("csrf_token", "declaration_id") or not isinstance(raw, str):
            continue
        value: Any = raw.strip()
        if name in FLAGS:
            value = value in ("on", "true")
        elif value == "":
            continue
        elif name in LISTS:
            value = [v.strip() for v in value.split(",") if v.strip()]
        elif name in DATES and len(value) == 16:  # 2026-11-23T07:30
            value += ":00Z"
        target = document
        *parents, leaf = name.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return document


def _errors(exc: ValidationError) -> dict[str, str]:
    return {".".join(str(p) for p in e["loc"]): str(e["msg"]) for e in exc.errors()}


def _choices() -> dict[str, Any]:
    return {"categories": list(RegulatoryCategory), "kinds": list(Category),
            "natures": list(Nature), "severities": list(Severity),
            "handling": list(HandlingStatus), "services": list(CareService)}  # fmt: skip


def _save(
    session: Session, principal: Principal, form: FormData, network: Network,
    settings: Settings, now: Any,
) -> uuid.UUID:  # fmt: skip
    """Create the declaration, or change it when the form already saved one."""
    document = _nested(form)
    existing = str(form.get("declaration_id") or "")
    if existing:
        patch = DeclarationPatch.model_validate(document)
        declaration, _ = relay_service.edit(
            session=session, declaration_id=uuid.UUID(existing), patch=patch,
            org_id=principal.org_id, by=principal.actor, network=network,
            policy=relay_policy(settings), now=now,
        )  # fmt: skip
        return declaration.id
    content = DeclarationIn.model_validate(document)
    declaration = relay_service.declare(
        session=session, content=content, org_id=principal.org_id, by=principal.actor,
        network=network, policy=relay_policy(settings), now=now,
    )  # fmt: skip
    return declaration.id


@router.get("/declare")
def declare_form(request: Request, who: MemberDep) -> Response:
    """The empty form (only establishments declare)."""
    if who.organisation is None or who.organisation.kind.value != "establishment":
        return not_found_page(request, who)
    return page(request, who, "declare.html", values={}, errors={}, declaration_id="",
                **_choices())  # fmt: skip


@router.post("/declare")
def declare(
    request: Request, who: PostingMemberDep, form: FormDep, session: SessionDep,
    network: NetworkDep, settings: SettingsDep, now: NowDep,
) -> Response:  # fmt: skip
    """Save and open the declaration's page; a refused field is shown in place, kept."""
    try:
        saved = _save(session, principal_of(who), form, network, settings, now)
    except ValidationError as exc:
        values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        return page(request, who, "declare.html", 422, values=values, errors=_errors(exc),
                    declaration_id=str(form.get("declaration_id") or ""), **_choices())  # fmt: skip
    except (Forbidden, NotFound):
        return not_found_page(request, who)
    return RedirectResponse(f"/declarations/{saved}", status_code=303)


@router.post("/declare/autosave")
def autosave(
    who: PostingMemberDep, form: FormDep, session: SessionDep, network: NetworkDep,
    settings: SettingsDep, now: NowDep,
) -> Response:  # fmt: skip
    """Save what is typed so far; answers the declaration's id, or what is missing."""
    try:
        saved = _save(session, principal_of(who), form, network, settings, now)
    except ValidationError as exc:
        return JSONResponse({"saved": False, "errors": _errors(exc)}, status_code=422)
    except (Forbidden, NotFound):
        return JSONResponse({"saved": False}, status_code=404)
    return JSONResponse({"saved": True, "id": str(saved)})


@router.get("/declarations/{declaration_id}")
def declaration_page(
    request: Request, declaration_id: uuid.UUID, who: MemberDep, session: SessionDep,
    network: NetworkDep,
) -> Response:  # fmt: skip
    """The declaration in its four blocks, for the declarant and its relays."""
    try:
        declaration = relay_service.get_visible(
            session=session, declaration_id=declaration_id,
            viewer_id=principal_of(who).org_id, network=network,
        )  # fmt: skip
    except NotFound:
        return not_found_page(request, who)
    principal = principal_of(who)
    can_qualify = (
        declaration.alert_id is None
        and declaration.org_id != principal.org_id
        and _relay_analyst(principal)
    )
    pending = publishing.proposals(session=session, declaration_id=declaration.id,
                                   viewer_id=principal.org_id, network=network)  # fmt: skip
    can_apply = declaration.qualified_by_org_id == principal.org_id and _relay_analyst(principal)
    return page(request, who, "declaration.html", d=declaration, can_qualify=can_qualify,
                document=relay_service.document(declaration), tlps=list(TLP),
                scopes=["group", "region", "national"], errors={}, proposals=pending,
                can_apply=can_apply)  # fmt: skip


@router.post("/declarations/{declaration_id}/proposals/{proposal_id}/apply")
def apply_proposal(
    request: Request, declaration_id: uuid.UUID, proposal_id: uuid.UUID, who: PostingMemberDep,
    session: SessionDep, network: NetworkDep, now: NowDep,
) -> Response:  # fmt: skip
    """As the relay that shared the alert, publish the declarant's update to it."""
    principal = principal_of(who)
    try:
        if not _relay_analyst(principal):
            raise Forbidden("only a relay analyst applies a proposal")
        alert = publishing.apply_proposal(
            session=session, declaration_id=declaration_id, proposal_id=proposal_id,
            choice=ApplyIn(), relay_org_id=principal.org_id, by=principal.actor,
            network=network, now=now,
        )  # fmt: skip
    except NotFound:
        return not_found_page(request, who)
    except (Forbidden, Conflict, InvalidInput) as refused:
        return page(request, who, "message.html", 422, message=refused.detail)
    return RedirectResponse(f"/alerts/{alert.id}", status_code=303)


def _relay_analyst(principal: Principal) -> bool:
    try:
        principal.require_writer()
        principal.require_role(*RELAY_ANALYST_ROLES)
    except Forbidden:
        return False
    return True


@router.post("/declarations/{declaration_id}/qualify")
def qualify(
    request: Request, declaration_id: uuid.UUID, who: PostingMemberDep, form: FormDep,
    session: SessionDep, network: NetworkDep, now: NowDep,
) -> Response:  # fmt: skip
    """As a relay analyst, publish the shareable version; then open the alert."""
    principal = principal_of(who)
    fields: dict[str, Any] = {"tlp": form.get("tlp") or "amber",
                              "anonymous": form.get("anonymous") == "on"}  # fmt: skip
    for name in ("title", "summary", "note"):
        if str(form.get(name) or "").strip():
            fields[name] = str(form.get(name)).strip()
    if form.get("scope"):
        fields["scope"] = {"kind": form.get("scope")}
    try:
        choice = QualifyIn.model_validate(fields)
        if not _relay_analyst(principal):
            raise Forbidden("only a relay analyst qualifies a declaration")
        declaration = publishing.qualify(
            session=session, declaration_id=declaration_id, choice=choice,
            relay_org_id=principal.org_id, by=principal.actor, network=network, now=now,
        )  # fmt: skip
    except NotFound:
        return not_found_page(request, who)
    except (ValidationError, Forbidden, Conflict, InvalidInput) as refused:
        detail = str(getattr(refused, "detail", None) or refused)
        return page(request, who, "message.html", 422, message=detail)
    return RedirectResponse(f"/alerts/{declaration.alert_id}", status_code=303)
