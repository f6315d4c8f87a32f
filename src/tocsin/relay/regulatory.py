"""The regulatory export: a declaration in the regulator's four blocks, as JSON or HTML."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel
from sqlalchemy.orm import Session

from tocsin.network.models import Organisation
from tocsin.relay import service
from tocsin.relay.models import Declaration
from tocsin.relay.obligations import obligations
from tocsin.relay.vocab import RegulatoryCategory


class ObligationOut(BaseModel):
    code: str
    authority: str
    action: str
    reason: str
    due_at: datetime | None


class RegulatoryOut(BaseModel):
    declaration_id: str
    version: int
    status: str
    generated_at: datetime
    category: dict[str, Any]
    significant: bool
    identity: dict[str, Any]
    description: dict[str, Any]
    impacts: dict[str, Any]
    causes: dict[str, Any]
    obligations: list[ObligationOut]
    resolution: dict[str, Any] | None


def export(session: Session, declaration: Declaration, now: datetime) -> RegulatoryOut:
    """The four blocks, the obligations triggered, and the resolution once closed."""
    content = service.content_of(declaration)
    org = session.get(Organisation, declaration.org_id)
    category = RegulatoryCategory(declaration.category)
    found = obligations(
        personal_data=content.impacts.personal_data,
        nis2=org.nis2.value if org else "none",
        nature=content.nature,
        kind=content.kind,
        aware_at=declaration.aware_at or declaration.created_at,
    )
    structure = {
        "name": org.name if org else None,
        "finess": org.finess if org else None,
        "legal_finess": org.legal_finess if org else None,
    }
    return RegulatoryOut(
        declaration_id=str(declaration.id),
        version=declaration.version,
        status=declaration.status.value,
        generated_at=now,
        category={"number": int(category), "label": category.label},
        significant=category.significant,
        identity={"structure": structure, **content.identity.model_dump(mode="json")},
        description={
            "title": content.title,
            "declared_at": declaration.created_at.isoformat(),
            "kind": content.kind,
            "nature": content.nature,
            "severity": content.severity,
            **content.description.model_dump(mode="json"),
        },
        impacts=content.impacts.model_dump(mode="json"),
        causes={
            **content.causes.model_dump(mode="json"),
            "attack_steps": [s.model_dump(mode="json") for s in content.attack_steps],
            "indicator_count": len(content.indicators),
        },
        obligations=[ObligationOut(**o.__dict__) for o in found],
        resolution=declaration.resolution,
    )


@functools.cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("tocsin.relay", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: RegulatoryOut) -> str:
    """The printable page of the export."""
    return _templates().get_template("regulatory.html").render(report=report.model_dump())
