"""API shapes of exercises: what an organiser writes, what the exercise and its report say."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from tocsin.alerts.schemas import AlertContent, AlertPatch, OrgRef, ScopeIn, ScopeOut, Strict
from tocsin.exercises.models import ExerciseStatus

MAX_INJECTS = 50
MAX_MINUTES = 60 * 24 * 14  # an exercise runs for a fortnight at most


class ScenarioIn(AlertContent):
    """The scenario's alert, as an author writes one; its scope is the exercise's."""

    scope: ScopeIn | None = Field(  # type: ignore[assignment]
        default=None, description="leave out: the exercise's scope applies"
    )

    @model_validator(mode="after")
    def _no_scope_of_its_own(self) -> ScenarioIn:
        if self.scope is not None:
            raise ValueError("the scenario takes the exercise's scope: leave scope out")
        return self


class InjectIn(Strict):
    """A later update of the scenario, released `offset_minutes` after the start."""

    offset_minutes: int = Field(ge=1, le=MAX_MINUTES)
    note: str = Field(min_length=1, max_length=5000, description="what is new, for participants")
    changes: AlertPatch = Field(default_factory=AlertPatch)

    @model_validator(mode="after")
    def _same_audience(self) -> InjectIn:
        moved = {
            "scope",
            "tlp",
            "affected_organisation",
            "anonymous",
        } & self.changes.model_fields_set
        if moved:
            raise ValueError(f"an inject cannot change who receives the scenario: {sorted(moved)}")
        return self


class ExerciseIn(Strict):
    """A new exercise: exactly one of `scenario`, `from_alert_id` or `scenario_key`."""

    title: str = Field(min_length=1, max_length=300, description="the exercise's own name")
    scope: ScopeIn
    starts_at: AwareDatetime | None = Field(
        default=None, description="when it publishes by itself; absent: started by hand"
    )
    ends_at: AwareDatetime | None = Field(default=None, description="when it ends by itself")
    acknowledge_minutes: int | None = Field(
        default=None, ge=1, le=MAX_MINUTES,
        description="the exercise's deadline to acknowledge; silence past it escalates",
    )  # fmt: skip
    scenario: ScenarioIn | None = None
    from_alert_id: uuid.UUID | None = Field(
        default=None, description="a past alert, anonymised, as the scenario"
    )
    scenario_key: str | None = Field(
        default=None, max_length=64, description="a scenario of the library"
    )
    injects: list[InjectIn] = Field(default_factory=list, max_length=MAX_INJECTS)

    @model_validator(mode="after")
    def _one_scenario(self) -> ExerciseIn:
        given = [self.scenario is not None, self.from_alert_id is not None, bool(self.scenario_key)]
        if sum(given) != 1:
            raise ValueError("give exactly one of scenario, from_alert_id or scenario_key")
        return self


class InjectOut(BaseModel):
    id: uuid.UUID
    offset_minutes: int
    note: str
    released_at: datetime | None


class ExerciseOut(BaseModel):
    id: uuid.UUID
    title: str
    status: ExerciseStatus
    organiser: OrgRef | None
    scope: ScopeOut
    starts_at: datetime | None
    ends_at: datetime | None
    acknowledge_minutes: int | None
    alert_id: uuid.UUID | None = Field(description="the scenario's alert, once started")
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    injects: list[InjectOut]


class ObservationIn(Strict):
    note: str = Field(min_length=1, max_length=10_000)


class ReportRow(BaseModel):
    organisation: OrgRef
    reached_at: datetime | None
    received_at: datetime | None
    acknowledged_at: datetime | None
    time_to_receive_seconds: float | None
    time_to_acknowledge_seconds: float | None
    first_channel: str | None = Field(description="the channel that reached it first")
    escalations: int
    observation: str | None = Field(description="the observers' note on this participant")


class PreviousExercise(BaseModel):
    id: uuid.UUID
    title: str
    started_at: datetime | None
    participants: int
    acknowledged: int
    median_time_to_acknowledge_seconds: float | None


class ExerciseReport(BaseModel):
    exercise_id: uuid.UUID
    title: str
    status: ExerciseStatus
    started_at: datetime | None
    participants: int
    received: int
    acknowledged: int
    silent: int = Field(description="participants that never acknowledged")
    escalations: int
    median_time_to_receive_seconds: float | None
    median_time_to_acknowledge_seconds: float | None
    rows: list[ReportRow]
    previous: PreviousExercise | None = Field(
        description="the last exercise before this one with the same scope"
    )


class ScenarioOut(BaseModel):
    key: str
    title: str
    content: dict[str, object]
    injects: list[dict[str, object]]
    updated_at: datetime


class ScenarioEdit(Strict):
    title: str = Field(min_length=1, max_length=300)
    content: ScenarioIn
    injects: list[InjectIn] = Field(default_factory=list, max_length=MAX_INJECTS)
