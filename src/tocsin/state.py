"""What one running node holds: settings, database, clock, and the parts its lifespan starts.

On the ground floor: every package may receive the node's state, so it names only
ground-floor types (the bus, the mailer, the live hub). The sign-in lockout is stored in the
database (`identity.lockout`), so that every node and a restart see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tocsin.bus.base import Bus
from tocsin.clock import Clock, SystemClock
from tocsin.db import load_all_models, make_engine, make_sessionmaker
from tocsin.livehub import LiveHub
from tocsin.mailer import Mailer
from tocsin.settings import Settings
from tocsin.sms.gateway import SmsGateway


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    # Set by the delivery runtime when the node starts, unless a test gave its own.
    bus: Bus | None = None
    mailer: Mailer | None = None
    live_hub: LiveHub | None = None
    sms: SmsGateway | None = None


# Where a session carries the node's table of regulatory steps (JSON text), when
# `TOCSIN_REGULATORY_RULES_FILE` replaces the default one (`obligations.regimes`).
REGULATORY_RULES_KEY = "regulatory_rules"


def build_state(settings: Settings, clock: Clock | None = None) -> AppState:
    """Engine, sessions and clock for one node; nothing connects until it is used."""
    load_all_models()
    engine = make_engine(settings.effective_database_url)
    sessions = make_sessionmaker(engine, audit_key=settings.audit_key.get_secret_value().encode())
    if settings.regulatory_rules_file is not None:
        rules = settings.regulatory_rules_file.read_text(encoding="utf-8")
        # configure() replaces info: keep the audit key beside the rules.
        sessions.configure(info={**sessions.kw.get("info", {}), REGULATORY_RULES_KEY: rules})
    return AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock or SystemClock(),
    )
