"""How to run an exercise on the demo network, as `tocsin demo` prints it. Pure."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

FIRST_SCENARIO = "rancongiciel-vpn-fournisseur"


def demo_exercise_body() -> dict[str, Any]:
    """A regional exercise drawn from the library, with a 15-minute deadline to acknowledge."""
    return {"title": "Exercice régional (démo)", "scope": {"kind": "region"},
            "scenario_key": FIRST_SCENARIO, "acknowledge_minutes": 15}  # fmt: skip


def _region_officer(credentials: Sequence[Any]) -> Any | None:
    officers = [c for c in credentials if c.kind == "region" and c.role == "security_officer"]
    return next((c for c in officers if c.token), None)


def exercise_howto(credentials: Sequence[Any], base_url: str) -> str:
    """The commands that run an exercise end to end with a region's security officer."""
    officer = _region_officer(credentials)
    if officer is None:
        return ""
    auth = f'-H "Authorization: Bearer {officer.token}"'
    body = json.dumps(demo_exercise_body(), ensure_ascii=False)
    return "\n".join([
        f"Run an exercise across {officer.organisation} (signed in as {officer.user}):",
        f"  curl -s {auth} {base_url}/api/v1/exercise-scenarios",
        f"  curl -s {auth} -H 'Content-Type: application/json' -d '{body}' "
        f"{base_url}/api/v1/exercises",
        f"  curl -s -X POST {auth} {base_url}/api/v1/exercises/<id>/start",
        "  Participants find it in their inbox under the EXERCICE banner and acknowledge it;",
        f"  read who answered and how fast at {base_url}/exercises/<id>/report (PDF: report.pdf),",
        f"  then end it (POST {base_url}/api/v1/exercises/<id>/end): each participant's posture",
        "  checklist gets its evidence.",
    ])  # fmt: skip
