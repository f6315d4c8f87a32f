"""An organisation's regulatory status: which legal clocks start when it declares an
incident (NIS2 essential or important entity; bound by CSP L.1111-8-2)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.network.models import Nis2Status, Organisation
from tocsin.network.service import get_organisation


def set_regulatory_status(
    *,
    session: Session,
    org_id: uuid.UUID,
    nis2: Nis2Status | None,
    csp_health: bool | None,
    now: datetime,
    actor: Actor,
) -> Organisation:
    """Change an organisation's NIS2 or public-health-code status, audited."""
    org = get_organisation(session=session, org_id=org_id)
    before = {"nis2": org.nis2.value, "csp_health": org.csp_health}
    if nis2 is not None:
        org.nis2 = nis2
    if csp_health is not None:
        org.csp_health = csp_health
    audit(
        session=session, actor=actor, action="organisation.regulatory_status",
        target_type="organisation", target_id=org.id, at=now, concerns=[org.id],
        details={"before": before, "after": {"nis2": org.nis2.value, "csp_health": org.csp_health}},
    )  # fmt: skip
    return org
