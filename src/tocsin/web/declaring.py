"""Declaring an incident from the browser: the regulator's four blocks, fast under stress.

Only the title and the category are required. The form saves itself (autosave) as soon as
those two are there, so a declaration survives a closed tab; the fields map one to one onto
the API's `DeclarationIn` (named with dots: `description.summary`), which validates them.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from tocsin.alerts.vocab import Severity
from tocsin.deps import NowDep, SessionDep, SettingsDep
from tocsin.errors import Forbidden, InvalidInput, NotFound
from tocsin.network import service as network_service
from tocsin.network.auth import NetworkDep
from tocsin.network.principal import Principal
from tocsin.relay import publishing
from tocsin.relay import service as relay_service
from tocsin.relay.api import RELAY_ANALYST_ROLES
from tocsin.relay.api import _policy as relay_policy
from tocsin.relay.schemas import ApplyIn, DeclarationIn, DeclarationPatch, QualifyIn
from tocsin.relay.vocab import DeclarationStatus, RegulatoryCategory, SharePart
from tocsin.settings import Settings
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP
from tocsin.web.auth import (
    FormDep,
    MemberDep,
    PostingMemberDep,
    Visitor,
    can_write,
    principal_of,
)
from tocsin.web.declaration_form import (
    choices,
    document_of,
    errors_of,
    field_of,
    form_values,
    values_of,
)
from tocsin.web.render import page, refused_page

router = APIRouter(include_in_schema=False)


def _save(
    session: Session, principal: Principal, form: FormData, network: Network,
    settings: Settings, now: Any,
) -> uuid.UUID:  # fmt: skip
    """Create the declaration, or change it when the form already saved one."""
    existing = str(form.get("declaration_id") or "")
    if existing:
        stored = relay_service.get_own(session=session, declaration_id=uuid.UUID(existing),
                                       org_id=principal.org_id, network=network)  # fmt: skip
        before = relay_service.content_of(stored).model_dump(mode="json")
        patch = DeclarationPatch.model_validate(document_of(form, before, settings.time_zone))
        declaration, _ = relay_service.edit(
            session=session, declaration_id=uuid.UUID(existing), patch=patch,
            org_id=principal.org_id, by=principal.actor, network=network,
            policy=relay_policy(settings), now=now,
        )  # fmt: skip
        return declaration.id
    content = DeclarationIn.model_validate(document_of(form, None, settings.time_zone))
    declaration = relay_service.declare(
        session=session, content=content, org_id=principal.org_id, by=principal.actor,
        network=network, policy=relay_policy(settings), now=now,
    )  # fmt: skip
    return declaration.id


def _form(
    request: Request, who: Visitor, status_code: int = 200, **values: Any
) -> Response:  # fmt: skip
    ticked = values["values"].get("indicator") or []
    found = [tuple(item.split(" ", 1)) for item in ticked if " " in item]
    return page(request, who, "declare.html", status_code, found=found, **(choices() | values))


def _drafts(session: Session, org_id: uuid.UUID, network: Network) -> list[Any]:
    """The organisation's own declarations still open, to carry on filling in."""
    rows = relay_service.list_visible(
        session=session, viewer_id=org_id, network=network, status=DeclarationStatus.open,
        after=None, limit=20,
    )  # fmt: skip
    return [d for d in rows if d.org_id == org_id]


@router.get("/declare")
def declare_form(
    request: Request, who: MemberDep, session: SessionDep, network: NetworkDep
) -> Response:
    """The empty form (only establishments declare), and the declarations still open."""
    if who.organisation is None or who.organisation.kind.value != "establishment":
        raise NotFound("only establishments declare incidents")
    if not can_write(who):
        return refused_page(request, who)
    return _form(request, who, values={}, errors={}, declaration_id="",
                 drafts=_drafts(session, principal_of(who).org_id, network))  # fmt: skip


@router.get("/declarations/{declaration_id}/edit")
def edit_form(
    request: Request, declaration_id: uuid.UUID, who: MemberDep, session: SessionDep,
    network: NetworkDep, settings: SettingsDep,
) -> Response:  # fmt: skip
    """The saved declaration in the form: what autosave kept survives a reload."""
    try:
        declaration = relay_service.get_own(
            session=session, declaration_id=declaration_id, org_id=principal_of(who).org_id,
            network=network,
        )  # fmt: skip
    except Forbidden:  # a relay reads it, but only the declarant edits: the form is absent
        raise NotFound("no such declaration") from None
    if not can_write(who):
        return refused_page(request, who)
    if declaration.status is not DeclarationStatus.open:
        # Once shared, a change must become a proposal for the relay (the API does that);
        # the form does not, so it is offered only while the declaration is open.
        return RedirectResponse(f"/declarations/{declaration_id}", status_code=303)
    stored = relay_service.content_of(declaration).model_dump(mode="json")
    values = values_of(stored, settings.time_zone)
    return _form(request, who, values=values, errors={}, declaration_id=str(declaration_id),
                 drafts=[])  # fmt: skip


@router.post("/declare")
def declare(
    request: Request, who: PostingMemberDep, form: FormDep, session: SessionDep,
    network: NetworkDep, settings: SettingsDep, now: NowDep,
) -> Response:  # fmt: skip
    """Save and open the declaration's page; a refused field is shown in place, kept."""
    if not can_write(who):
        return refused_page(request, who)
    try:
        saved = _save(session, principal_of(who), form, network, settings, now)
    except ValidationError as exc:
        return _form(request, who, 422, values=form_values(form), errors=errors_of(exc),
                     declaration_id=str(form.get("declaration_id") or ""), drafts=[])  # fmt: skip
    except InvalidInput as exc:
        session.rollback()
        return _form(request, who, 422, values=form_values(form),
                     errors={field_of(e.field.split(".")): e.reason for e in exc.errors},
                     declaration_id=str(form.get("declaration_id") or ""), drafts=[])  # fmt: skip
    except (Forbidden, ValueError):  # someone else's declaration, or a forged id
        raise NotFound("no such declaration") from None
    return RedirectResponse(f"/declarations/{saved}", status_code=303)


@router.post("/declare/autosave")
def autosave(
    request: Request, who: PostingMemberDep, form: FormDep, session: SessionDep,
    network: NetworkDep, settings: SettingsDep, now: NowDep,
) -> Response:  # fmt: skip
    """Save what is typed so far (htmx); answers where the draft stands, in words.

    Not yet saveable is the normal state of a form being filled, not an error: 200 with
    what is missing. Once saved, the address becomes the draft's, so a reload keeps it.
    """
    if not can_write(who):
        return refused_page(request, who)
    try:
        saved = _save(session, principal_of(who), form, network, settings, now)
    except ValidationError as exc:
        return page(request, who, "_autosave.html", errors=errors_of(exc), saved=None)
    except InvalidInput as exc:
        session.rollback()
        errors = {field_of(e.field.split(".")): e.reason for e in exc.errors}
        return page(request, who, "_autosave.html", errors=errors, saved=None)
    except (Forbidden, ValueError):  # someone else's declaration, or a forged id
        raise NotFound("no such declaration") from None
    answer = page(request, who, "_autosave.html", errors={}, saved=saved, at=now)
    answer.headers["HX-Replace-Url"] = f"/declarations/{saved}/edit"
    return answer


@router.get("/declarations/{declaration_id}")
def declaration_page(
    request: Request, declaration_id: uuid.UUID, who: MemberDep, session: SessionDep,
    network: NetworkDep,
) -> Response:  # fmt: skip
    """The declaration in its four blocks, for the declarant and its relays."""
    declaration = relay_service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=principal_of(who).org_id,
        network=network,
    )  # fmt: skip
    principal = principal_of(who)
    can_qualify = (
        declaration.alert_id is None
        and declaration.org_id != principal.org_id
        and _relay_analyst(principal)
    )
    pending = publishing.proposals(session=session, declaration_id=declaration.id,
                                   viewer_id=principal.org_id, network=network)  # fmt: skip
    can_apply = declaration.qualified_by_org_id == principal.org_id and _relay_analyst(principal)
    declarant = network_service.get_organisation(session=session, org_id=declaration.org_id)
    return page(request, who, "declaration.html", d=declaration, can_qualify=can_qualify,
                declarant=declarant,
                document=relay_service.document(declaration), tlps=list(TLP),
                scopes=["group", "region", "national"], errors={}, proposals=pending,
                can_apply=can_apply, category=RegulatoryCategory(declaration.category),
                severities=list(Severity), share_parts=list(SharePart))  # fmt: skip


@router.post("/declarations/{declaration_id}/proposals/{proposal_id}/apply")
def apply_proposal(
    request: Request, declaration_id: uuid.UUID, proposal_id: uuid.UUID, who: PostingMemberDep,
    session: SessionDep, network: NetworkDep, now: NowDep,
) -> Response:  # fmt: skip
    """As the relay that shared the alert, publish the declarant's update to it."""
    principal = principal_of(who)
    if not _relay_analyst(principal):
        raise Forbidden("only a relay analyst applies a proposal")
    alert = publishing.apply_proposal(
        session=session, declaration_id=declaration_id, proposal_id=proposal_id,
        choice=ApplyIn(), relay_org_id=principal.org_id, by=principal.actor,
        network=network, now=now,
    )  # fmt: skip
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
    if form.get("severity"):
        fields["severity"] = form.get("severity")
    if form.get("parts_chosen"):  # the page's form ticks each part it shares; none is none
        fields["include"] = [str(part) for part in form.getlist("include")]
    try:
        choice = QualifyIn.model_validate(fields)
        if not _relay_analyst(principal):
            raise Forbidden("only a relay analyst qualifies a declaration")
        declaration = publishing.qualify(
            session=session, declaration_id=declaration_id, choice=choice,
            relay_org_id=principal.org_id, by=principal.actor, network=network, now=now,
        )  # fmt: skip
    except ValidationError as exc:
        raise InvalidInput.one("qualification", str(exc.errors()[0]["msg"])) from None
    return RedirectResponse(f"/alerts/{declaration.alert_id}", status_code=303)
