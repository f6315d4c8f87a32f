"""Tables of exercises: the exercise, its injects, the observers' notes."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tocsin.db import Base, str_enum


class ExerciseStatus(enum.StrEnum):
    scheduled = "scheduled"
    running = "running"
    ended = "ended"


class Exercise(Base):
    """A rehearsal: the scenario (an alert's content) waits here until the start publishes it."""

    __tablename__ = "exercises"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[ExerciseStatus] = mapped_column(str_enum(ExerciseStatus), index=True)
    # The scenario as `AlertContent` JSON; its scope is the exercise's scope.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    scope_key: Mapped[str] = mapped_column(String(120), index=True)  # to find the previous one
    from_alert_id: Mapped[uuid.UUID | None]
    starts_at: Mapped[datetime | None] = mapped_column(index=True)  # None: started by hand
    ends_at: Mapped[datetime | None]
    acknowledge_minutes: Mapped[int | None]
    alert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    injects: Mapped[list[ExerciseInject]] = relationship(
        back_populates="exercise",
        order_by="ExerciseInject.offset_minutes",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class ExerciseInject(Base):
    """A later update of the scenario, released at its offset after the start."""

    __tablename__ = "exercise_injects"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    exercise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), index=True
    )
    offset_minutes: Mapped[int]
    note: Mapped[str] = mapped_column(Text)
    # The fields it changes, as an `AlertPatch` (without its note).
    patch: Mapped[dict[str, Any]] = mapped_column(JSON)
    released_at: Mapped[datetime | None]

    exercise: Mapped[Exercise] = relationship(back_populates="injects")


class ExerciseObservation(Base):
    """The observers' grid: one free note per participant, written by the organiser."""

    __tablename__ = "exercise_observations"
    __table_args__ = (UniqueConstraint("exercise_id", "org_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    exercise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text)
    written_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime]


class ExerciseScenario(Base):
    """A scenario of the library: shipped as data (`scenarios.json`), editable afterwards."""

    __tablename__ = "exercise_scenarios"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    # The scenario as `AlertContent` JSON without a scope (the exercise chooses it).
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    injects: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
