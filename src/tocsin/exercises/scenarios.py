"""Where a scenario comes from: written, drawn from a past alert (anonymised), or the library.

The library ships as data (`scenarios.json`, in French) and is copied into the database the
first time it is read, where the national CERT or a relay may edit it.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.projection import content_of
from tocsin.alerts.reads import get_visible
from tocsin.audit.service import Actor, record
from tocsin.errors import Forbidden, InvalidInput, NotFound
from tocsin.exercises.models import ExerciseScenario
from tocsin.exercises.schemas import ScenarioEdit
from tocsin.network.models import Organisation
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP

HIDDEN_NAME = "[établissement]"


def shipped() -> list[dict[str, Any]]:
    """The scenarios shipped with tocsin, as data."""
    text = resources.files("tocsin.exercises").joinpath("scenarios.json").read_text("utf-8")
    loaded: list[dict[str, Any]] = json.loads(text)
    return loaded


def ensure_library(*, session: Session, now: datetime) -> None:
    """Copy the shipped scenarios that are not in the database yet (edits are kept)."""
    known = set(session.scalars(select(ExerciseScenario.key)))
    for item in shipped():
        if item["key"] not in known:
            row = ExerciseScenario(key=item["key"], title=item["title"], content=item["content"],
                                   injects=item.get("injects", []), updated_at=now)  # fmt: skip
            session.add(row)
    session.flush()


def library(*, session: Session, now: datetime) -> list[ExerciseScenario]:
    """Every scenario of the library, by key."""
    ensure_library(session=session, now=now)
    return list(session.scalars(select(ExerciseScenario).order_by(ExerciseScenario.key)))


def scenario(*, session: Session, key: str, now: datetime) -> ExerciseScenario:
    """One scenario of the library; NotFound when no scenario has that key."""
    ensure_library(session=session, now=now)
    row = session.scalar(select(ExerciseScenario).where(ExerciseScenario.key == key))
    if row is None:
        raise NotFound("no such scenario")
    return row


def edit_scenario(
    *, session: Session, key: str, body: ScenarioEdit, org_kind: str, by: Actor, now: datetime
) -> ExerciseScenario:
    """Replace (or add) a scenario of the library: relays and the national CERT only."""
    if org_kind not in ("group", "region", "national"):
        raise Forbidden("only relays and the national CERT edit the library")
    ensure_library(session=session, now=now)
    row = session.scalar(select(ExerciseScenario).where(ExerciseScenario.key == key))
    if row is None:
        row = ExerciseScenario(key=key, title=body.title, content={}, injects=[], updated_at=now)
        session.add(row)
    row.title = body.title
    row.content = body.content.model_dump(mode="json", exclude={"scope"})
    row.injects = [i.model_dump(mode="json", exclude_unset=True) for i in body.injects]
    row.updated_at, row.updated_by = now, by.user_id
    session.flush()
    record(session=session, actor=by, action="exercise.scenario_edit", target_type="scenario",
           target_id=row.id, at=now, concerns=[], details={"key": key})  # fmt: skip
    return row


def _names(session: Session, alert: Alert) -> list[str]:
    ids = {alert.source_org_id, alert.affected_org_id, *(uuid.UUID(o) for o in alert.named)}
    rows = session.scalars(select(Organisation.name).where(Organisation.id.in_(ids - {None})))
    return sorted((n for n in rows if n), key=len, reverse=True)


def _without(text: str, names: list[str]) -> str:
    for name in names:
        text = re.sub(re.escape(name), HIDDEN_NAME, text, flags=re.IGNORECASE)
    return text


def from_alert(
    *, session: Session, alert_id: uuid.UUID, viewer_id: uuid.UUID, network: Network
) -> dict[str, Any]:
    """A past alert the organiser may read, as a scenario: no source, no establishment
    named (nor its name in the text), nothing of a TLP:RED alert but its shape."""
    try:
        alert = get_visible(session=session, alert_id=alert_id, viewer_id=viewer_id,
                            network=network)  # fmt: skip
    except NotFound:
        raise InvalidInput.one("from_alert_id", "no alert you may read has this id") from None
    content = content_of(alert).model_dump(mode="json", exclude={"scope"})
    names = _names(session, alert)
    content["title"] = _without(content["title"], names)
    content["summary"] = _without(content["summary"], names)
    content["care_impact"]["notes"] = None
    content["anonymous"], content["affected_organisation"] = True, None
    if alert.tlp is TLP.red:  # its content was for named recipients only
        content.update(tlp=TLP.amber.value, summary="", indicators=[], attack_steps=[],
                       countermeasures=[])  # fmt: skip
    for step in content["attack_steps"]:
        step["description"] = _without(step["description"], names)
    return content
