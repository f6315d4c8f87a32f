"""What one running node holds: settings, database, clock, bus. Built by `create_app`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tocsin.clock import Clock
from tocsin.settings import Settings


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    # Components added by later packages (bus, dispatchers, live hub), by name.
    components: dict[str, Any] = field(default_factory=dict)
