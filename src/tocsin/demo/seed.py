"""Seeding the demo network: organisations, people, tokens and a first alert."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.schemas import AlertContent
from tocsin.audit.service import SYSTEM, Actor
from tocsin.demo import network as demo
from tocsin.demo.alerts import ransomware_alert, related_intrusion_alert
from tocsin.network import service as network_service
from tocsin.network.models import Nis2Status, Organisation, OrgKind, Role, Scope
from tocsin.network.secrets import new_password
from tocsin.publication import service as publication
from tocsin.relay.demo import declare_demo

CREDENTIALS_FILE = "demo-credentials.json"
DEMO_ROLES = (Role.director, Role.security_officer)


@dataclass(frozen=True)
class Credential:
    organisation: str
    organisation_id: str
    kind: str
    region: str | None
    user: str
    role: str
    password: str
    token: str


def already_seeded(session: Session) -> bool:
    return session.scalar(select(Organisation.id).limit(1)) is not None


def _create_orgs(session: Session, now: datetime) -> dict[str, Organisation]:
    created: dict[str, Organisation] = {}
    for item in demo.ALL:
        created[item.slug] = network_service.create_organisation(
            session=session,
            name=item.name,
            kind=OrgKind(item.kind),
            now=now,
            actor=SYSTEM,
            finess=item.finess,
            legal_finess=item.legal_finess,
            group_id=created[item.group].id if item.group else None,
            region_id=created[item.region].id if item.region else None,
            nis2=Nis2Status(demo.nis2_status(item)),
        )
    return created


def _region_name(org: demo.DemoOrg, orgs: dict[str, Organisation]) -> str | None:
    if org.region:
        return orgs[org.region].name
    return org.name if org.kind == "region" else None


def _create_people(
    session: Session, orgs: dict[str, Organisation], now: datetime
) -> list[Credential]:
    credentials: list[Credential] = []
    for item in demo.ALL:
        org = orgs[item.slug]
        for role in DEMO_ROLES:
            password = new_password()
            user = network_service.create_user(
                session=session,
                email=f"{role.value.replace('_', '-')}@{item.slug}.example.org",
                display_name=f"{role.value.replace('_', ' ').title()} – {item.name}",
                organisation_id=org.id,
                roles=[role] if item.kind == "establishment" else [role, Role.analyst],
                now=now,
                actor=SYSTEM,
                password=password,
            )
            scopes = [Scope.read, Scope.write]
            if item.kind == "national" and role is Role.director:
                scopes.append(Scope.admin)
            _, secret = network_service.issue_token(
                session=session,
                organisation_id=org.id,
                user_id=user.id,
                name="demo",
                scopes=scopes,
                now=now,
                actor=SYSTEM,
            )
            credentials.append(
                Credential(
                    organisation=item.name,
                    organisation_id=str(org.id),
                    kind=item.kind,
                    region=_region_name(item, orgs),
                    user=user.email,
                    role=role.value,
                    password=password,
                    token=secret,
                )
            )
    return credentials


def _publish(
    session: Session, orgs: dict[str, Organisation], slug: str, content: dict[str, object],
    now: datetime,
) -> uuid.UUID:  # fmt: skip
    source = orgs[slug]
    network = network_service.load_network(session=session)
    actor = Actor(org_id=source.id)
    # Both demo alerts speak of the publisher's own incident: it is the establishment hit.
    content = {**content, "affected_organisation": source.id}
    alert = publication.create_and_publish(
        session=session, content=AlertContent.model_validate(content), source_org_id=source.id,
        by=actor, network=network, now=now,
    )  # fmt: skip
    return alert.id


def seed(session: Session, now: datetime) -> list[Credential]:
    """Create the whole demo network in the caller's transaction."""
    orgs = _create_orgs(session, now)
    credentials = _create_people(session, orgs, now)
    _publish(session, orgs, "chu-rouvray", ransomware_alert(now), now)
    declare_demo(session=session, org_id=orgs["chu-rouvray"].id, now=now)

    _publish(session, orgs, "ch-evreval", related_intrusion_alert(now), now)
    return credentials


def write_credentials(data_dir: Path, credentials: list[Credential]) -> Path:
    """The demo users, passwords and tokens, readable by the owner only."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / CREDENTIALS_FILE
    path.write_text(json.dumps([asdict(c) for c in credentials], indent=2, ensure_ascii=False))
    path.chmod(0o600)
    return path


def read_credentials(data_dir: Path) -> list[Credential]:
    path = data_dir / CREDENTIALS_FILE
    if not path.exists():
        return []
    return [Credential(**item) for item in json.loads(path.read_text())]
