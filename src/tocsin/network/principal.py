"""Who is calling: the token, the organisation it acts for, and the user's roles there."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tocsin.audit.service import Actor
from tocsin.errors import Forbidden
from tocsin.network.models import Role, Scope

# Roles that may write alerts, declarations and responses for their organisation.
WRITER_ROLES = frozenset({Role.director, Role.security_officer, Role.it_staff, Role.analyst})


@dataclass(frozen=True)
class Principal:
    token_id: uuid.UUID
    org_id: uuid.UUID
    org_kind: str
    user_id: uuid.UUID | None
    scopes: frozenset[Scope]
    roles: frozenset[Role]
    source_ip: str | None = None

    @property
    def is_integration(self) -> bool:
        return self.user_id is None

    @property
    def actor(self) -> Actor:
        return Actor(
            user_id=self.user_id,
            org_id=self.org_id,
            token_id=self.token_id,
            source_ip=self.source_ip,
        )

    def require_scope(self, scope: Scope) -> None:
        # admin implies write implies read.
        order = [Scope.read, Scope.write, Scope.admin]
        if not any(order.index(s) >= order.index(scope) for s in self.scopes):
            raise Forbidden(f"this token lacks the '{scope.value}' scope")

    def require_writer(self) -> None:
        """Write scope, and for a person a role that may act for the organisation."""
        self.require_scope(Scope.write)
        if not self.is_integration and not (self.roles & WRITER_ROLES):
            raise Forbidden("your role in this organisation is read-only")

    def require_role(self, *roles: Role) -> None:
        if not self.is_integration and not (self.roles & set(roles)):
            names = ", ".join(r.value for r in roles)
            raise Forbidden(f"this action needs one of the roles: {names}")


def manages_tokens(principal: Principal) -> bool:
    """Who sees and revokes every token of their organisation: its director, or an admin.
    Anyone else sees and revokes only their own (a person's, or an integration's itself)."""
    return Scope.admin in principal.scopes or Role.director in principal.roles


def person_scopes(granted: frozenset[Scope], roles: set[Role]) -> frozenset[Scope]:
    """A person's token acts with that person's rights at each use: write (and admin) only
    while their role in the organisation may act for it, whatever the token was given."""
    if roles & WRITER_ROLES:
        return granted
    return granted & {Scope.read}
