"""The alert composer: a form with errors in place, and the indicator box that extracts."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from tocsin.alerts.schemas import AlertContent
from tocsin.alerts.vocab import CareService, Category, Severity
from tocsin.deps import NowDep, SessionDep
from tocsin.errors import InvalidInput
from tocsin.indicators.extract import extract
from tocsin.indicators.types import IndicatorType
from tocsin.network.auth import NetworkDep
from tocsin.publication import service as publication
from tocsin.sharing.rules import ScopeKind
from tocsin.sharing.tlp import PAP, TLP
from tocsin.web.auth import FormDep, MemberDep, PostingMemberDep, Visitor, principal_of
from tocsin.web.render import page

router = APIRouter(include_in_schema=False)
TEXT_FIELDS = (
    "title",
    "summary",
    "category",
    "severity",
    "tlp",
    "pap",
    "scope_kind",
    "first_seen",
    "patients_transferred",
    "care_notes",
    "initial_access",
    "threat_actor",
    "malware_family",
    "attack_steps",
    "countermeasures",
    "paste",
)
_TECHNIQUE = re.compile(r"^\s*(T\d{4}(?:\.\d{3})?)\b[\s:|-]*(.*)$", re.IGNORECASE)
MAX_PASTE = 200_000


def _values(form: FormData) -> dict[str, Any]:
    """What was typed, kept as typed so the form comes back intact on error."""
    values: dict[str, Any] = {k: str(form.get(k) or "") for k in TEXT_FIELDS}
    values["anonymous"] = form.get("anonymous") == "on"
    values["degraded_mode"] = form.get("degraded_mode") == "on"
    values["services"] = [str(s) for s in form.getlist("services")]
    values["indicators"] = [str(i) for i in form.getlist("indicator")]
    return values


def _steps(text: str) -> list[dict[str, Any]]:
    """One step a line; a leading ATT&CK id (T1486, T1110.001) becomes its technique."""
    steps = []
    for line in (raw.strip() for raw in text.splitlines()):
        match = _TECHNIQUE.match(line) if line else None
        if match:
            steps.append(
                {"technique": match.group(1), "description": match.group(2) or match.group(1)}
            )
        elif line:
            steps.append({"description": line})
    return steps


def _indicators(values: dict[str, Any]) -> list[dict[str, str]]:
    """The ticked indicators, or, with nothing ticked yet, all found in the pasted text."""
    chosen = values["indicators"] or [
        f"{e.type.value} {e.value}" for e in extract(values["paste"][:MAX_PASTE])
    ]
    pairs = [item.split(" ", 1) for item in chosen if " " in item]
    return [{"type": kind, "value": value} for kind, value in pairs]


def content_body(values: dict[str, Any]) -> dict[str, Any]:
    """The API shape of the alert from the form's fields."""
    body: dict[str, Any] = {
        "title": values["title"],
        "summary": values["summary"],
        "category": values["category"] or None,
        "severity": values["severity"] or None,
        "tlp": values["tlp"] or None,
        "pap": values["pap"] or "green",
        "scope": {"kind": values["scope_kind"] or None},
        "anonymous": values["anonymous"],
        "first_seen": values["first_seen"] or None,
        "care_impact": {
            "services": values["services"],
            "degraded_mode": values["degraded_mode"],
            "patients_transferred": values["patients_transferred"] or 0,
            "notes": values["care_notes"] or None,
        },
        "origin": {
            k: values[k] or None for k in ("initial_access", "threat_actor", "malware_family")
        },
        "attack_steps": _steps(values["attack_steps"]),
        "indicators": _indicators(values),
        "countermeasures": [
            {"action": line.strip()}
            for line in values["countermeasures"].splitlines()
            if line.strip()
        ],
    }
    return body


FIELD_OF = {
    "scope": "scope_kind",
    "care_impact.patients_transferred": "patients_transferred",
    "care_impact.notes": "care_notes",
    "care_impact.services": "services",
    "origin.initial_access": "initial_access",
    "origin.threat_actor": "threat_actor",
    "origin.malware_family": "malware_family",
}


def field_of(loc: tuple[Any, ...]) -> str:
    """The form field a validation error belongs to."""
    dotted = ".".join(str(p) for p in loc if not isinstance(p, int))
    for prefix in ("attack_steps", "indicators", "countermeasures", "scope"):
        if dotted.startswith(prefix):
            return FIELD_OF.get(prefix, prefix)
    return FIELD_OF.get(dotted, dotted.split(".")[0])


def field_errors(exc: ValidationError) -> dict[str, str]:
    """One message code a field: 'required', 'too_long', 'choice' or the validator's reason."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        kind = err.get("type", "")
        code = {
            "missing": "required",
            "string_too_short": "required",
            "string_too_long": "too_long",
            "enum": "choice",
        }.get(kind, str(err.get("msg", "invalid")))
        errors.setdefault(field_of(tuple(err.get("loc", ()))), code)
    return errors


def _composer(
    request: Request,
    who: Visitor,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    found = (
        [(i["type"], i["value"]) for i in _indicators(values)]
        if values.get("paste") or values.get("indicators")
        else []
    )
    return page(
        request,
        who,
        "composer.html",
        status_code,
        values=values,
        errors=errors,
        found=found,
        categories=list(Category),
        severities=list(Severity),
        tlps=list(TLP),
        paps=list(PAP),
        scopes=[s for s in ScopeKind],
        services=list(CareService),
    )


@router.get("/compose")
def composer(request: Request, who: MemberDep) -> Response:
    values = _values(FormData()) | {"tlp": "amber", "pap": "green", "scope_kind": "region"}
    return _composer(request, who, values, {})


@router.post("/compose")
def compose(
    request: Request,
    who: PostingMemberDep,
    form: FormDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> Response:
    """Save a draft (or save and publish); on error, the same form with the errors in place."""
    principal = principal_of(who)
    principal.require_writer()
    values = _values(form)
    try:
        content = AlertContent.model_validate(content_body(values))
        store = (
            publication.create_and_publish
            if form.get("action") == "publish"
            else publication.create_draft
        )
        alert = store(session=session, content=content, source_org_id=principal.org_id,
                      by=principal.actor, network=network, now=now)  # fmt: skip
    except ValidationError as exc:
        return _composer(request, who, values, field_errors(exc), 422)
    except InvalidInput as exc:
        session.rollback()
        errors = {field_of(tuple(e.field.split("."))): e.reason for e in exc.errors}
        return _composer(request, who, values, errors, 422)
    return RedirectResponse(f"/alerts/{alert.id}", status_code=303)


@router.post("/compose/extract")
def extract_partial(request: Request, who: PostingMemberDep, form: FormDep) -> Response:
    """The htmx partial listing what the pasted text holds: type, refanged value."""
    found = [(e.type.value, e.value) for e in extract(str(form.get("paste") or "")[:MAX_PASTE])]
    return page(
        request, who, "_extracted.html", found=found, ticked=None, types=list(IndicatorType)
    )
