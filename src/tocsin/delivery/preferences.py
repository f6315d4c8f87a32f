"""What reaches a person, by channel: their own choice, or their roles' defaults. Pure.

Directors and security officers are the ones who act in a crisis: unless they chose
otherwise, critical and high alerts reach them by e-mail, and critical ones by SMS as
soon as they have given a phone number. Everyone else chooses for themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tocsin.network.models import Role

ACTING_ROLES = frozenset({Role.director, Role.security_officer})
DEFAULT_EMAIL = ("critical", "high")
DEFAULT_SMS = ("critical",)


@dataclass(frozen=True)
class Wishes:
    """The severities that reach a person by each channel, and where."""

    email: frozenset[str]
    sms: frozenset[str]
    phone: str | None = None


def _acting(roles: Iterable[Role | str]) -> bool:
    return any(Role(r) in ACTING_ROLES for r in roles)


def email_wished(roles: Iterable[Role | str], chosen: list[str] | None) -> frozenset[str]:
    """The severities by e-mail: the person's choice, else their roles' default."""
    return frozenset(chosen if chosen is not None else DEFAULT_EMAIL if _acting(roles) else ())


def sms_wished(roles: Iterable[Role | str], chosen: list[str] | None) -> frozenset[str]:
    """The severities SMS would carry (sent only once there is a phone number)."""
    return frozenset(chosen if chosen is not None else DEFAULT_SMS if _acting(roles) else ())


def wishes(
    *, roles: Iterable[Role | str], email: list[str] | None, sms: list[str] | None,
    phone: str | None,
) -> Wishes:  # fmt: skip
    """`email`/`sms` None: the channel keeps its default; SMS needs a phone number."""
    held = list(roles)
    by_sms = sms_wished(held, sms) if phone else frozenset()
    return Wishes(email=email_wished(held, email), sms=by_sms, phone=phone)
