"""Who must sign in with a second factor (`TOCSIN_MFA_REQUIRED`): a pure rule.

- `none`: nobody is made to (anyone may enrol).
- `privileged`: the directors (who administer their organisation's people and tokens),
  security officers and analysts of every organisation; every member of a relay (group,
  region, national CERT), who reads the AMBER+STRICT declarations and the RED alerts of a
  whole perimeter; and the hub's administrators (a person holding an admin-scoped token).
- `all`: every person. Integration tokens are never asked (they are not people).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from tocsin.network.models import OrgKind, Role

Policy = Literal["none", "privileged", "all"]
PRIVILEGED_ROLES = frozenset({Role.director, Role.security_officer, Role.analyst})
RELAY_KINDS = frozenset({OrgKind.group, OrgKind.region, OrgKind.national})


def second_factor_required(
    *, policy: Policy, memberships: Iterable[tuple[Role, OrgKind]], hub_admin: bool
) -> bool:
    """Whether a person with these (role, kind of organisation) pairs needs a second factor."""
    if policy == "all":
        return True
    if policy == "none":
        return False
    held = list(memberships)
    return (
        hub_admin
        or any(role in PRIVILEGED_ROLES for role, _ in held)
        or any(kind in RELAY_KINDS for _, kind in held)
    )
