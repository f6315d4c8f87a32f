"""The relay board's grid: establishments down, alerts across, each cell the state of that
establishment's response to that alert. Pure: takes the board's lines, returns rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_COLUMNS = 12  # the most recent alerts; the sections below list every one
# Worst first: a row sorts by its worst cell, so the establishments to chase come first.
STATES = ("overdue", "silent", "affected", "acknowledged")


@dataclass(frozen=True)
class Row:
    org_id: uuid.UUID
    name: str
    states: list[str | None]  # per column; None where the establishment did not receive it


@dataclass(frozen=True)
class Grid:
    alerts: list[Any]
    rows: list[Row]


def state_of(line: Any, now: datetime) -> str:
    """affected (said so) before acknowledged; silent, or overdue past its escalation."""
    if line.applicability == "affected":
        return "affected"
    if line.acknowledged_at is not None:
        return "acknowledged"
    if line.escalates_at is not None and line.escalates_at <= now:
        return "overdue"
    return "silent"


def grid(board: Sequence[tuple[Any, Sequence[Any]]], now: datetime) -> Grid:
    """The grid of the board's most recent alerts."""
    shown = list(board[:MAX_COLUMNS])
    names: dict[uuid.UUID, str] = {}
    cells: dict[uuid.UUID, list[str | None]] = {}
    for column, (_alert, lines) in enumerate(shown):
        for line in lines:
            names[line.org_id] = line.organisation
            cells.setdefault(line.org_id, [None] * len(shown))[column] = state_of(line, now)
    rows = [Row(org_id, names[org_id], states) for org_id, states in cells.items()]

    def urgency(row: Row) -> tuple[int, str]:
        worst = min((STATES.index(s) for s in row.states if s), default=len(STATES))
        return worst, row.name

    return Grid(alerts=[alert for alert, _ in shown], rows=sorted(rows, key=urgency))
