"""A periodic job of a node: a name, a period and a tick run against the node's state.

On the ground floor so that the packages that own a job (relay deadlines, escalations,
session purge) declare it without knowing the scheduler; `app.node_jobs` lists them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tocsin.state import AppState

Tick = Callable[[AppState], object]


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    tick: Tick
