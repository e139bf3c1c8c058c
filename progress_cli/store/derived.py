"""Derived tables that `progress recompute` rewrites learner by learner (DESIGN section 4).

They hold the figures as of the last recompute, for fast listings (`learners`, leaderboards,
reports of many learners). Anything asked `--as-of` another time is computed from events.
"""

from __future__ import annotations

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from progress_cli.store.models import TS


class LearnerProgress(SQLModel, table=True):
    __tablename__ = "learner_progress"
    learner_id: str = Field(primary_key=True)
    computed_as_of: str = Field(max_length=TS)
    total_progress: float | None = None
    certificate_progress: float | None = None
    improvement_rate: float | None = None
    strengths: str | None = None  # JSON array of skill ids
    weaknesses: str | None = None
    streak_days: int = 0
    last_active_day: str | None = Field(default=None, max_length=10)  # local date, for a stale streak
    total_time_s: float = 0.0
    attempts: int = 0
    last_activity: str | None = Field(default=None, max_length=TS)
    predicted_completion_date: str | None = Field(default=None, max_length=10)
    # Migration 11: what the reads need to answer from these rows (DESIGN 9). Null until the
    # learner's first recompute after the upgrade; the reads compute from the events till then.
    tz: str | None = None  # the zone of the recompute (--tz): days and weeks are counted in it
    catalog_sha: str | None = Field(default=None, max_length=64)  # SHA-256 of the catalog text it used
    last_import: int | None = None  # the newest import (imports.id) the recompute saw; 0 before any
    peak_hours: str | None = Field(default=None, sa_column=Column(Text))  # JSON: patterns.peak_hours
    events: int | None = None  # the learner's live events when recomputed (`learners` lists it)
    modules: str | None = Field(default=None, sa_column=Column(Text))  # JSON: [module_ids, readiness levels,
    # completion rates, attempts], catalog order: `learners` and the leaderboard read one row per learner


class ModuleProgress(SQLModel, table=True):
    __tablename__ = "module_progress"
    learner_id: str = Field(primary_key=True)
    module_id: str = Field(primary_key=True)
    in_catalog: bool = False
    tasks_total: int = 0
    completed_tasks: int = 0
    completion_rate: float | None = None
    average_score: float | None = None
    attempts: int = 0
    session_count: int = 0
    total_time_s: float = 0.0
    last_activity: str | None = Field(default=None, max_length=TS)
    efficiency: float | None = None
    readiness: str = "BEGINNER"
    readiness_basis: int = 0
    trend_slope: float | None = None
    trend_direction: str | None = None


class SkillProgress(SQLModel, table=True):
    __tablename__ = "skill_progress"
    learner_id: str = Field(primary_key=True)
    skill: str = Field(primary_key=True)
    attempts: int = 0
    current_level: float | None = None
    improvement_rate: float | None = None
    consistency: float | None = None
    mastery: float | None = None
    level: str | None = None
    next_milestone: str | None = Field(default=None, sa_column=Column(Text))  # JSON object


class DailyActivity(SQLModel, table=True):
    __tablename__ = "daily_activity"
    learner_id: str = Field(primary_key=True)
    day: str = Field(primary_key=True, max_length=10)  # local date in --tz
    practice_minutes: float = 0.0
    practice_s: float | None = None  # migration 11 (weekly sums add seconds, as the analytics do)
    events: int = 0
    attempts: int = 0
    mean_score: float | None = None
    modules_completed: int = 0
    skills_practised: int = 0
    active: bool = False
    streak: int = 0


class Session(SQLModel, table=True):
    """A learner's session: its session_id, or the key inferred from a 30-minute gap (DESIGN 2)."""

    __tablename__ = "sessions"
    learner_id: str = Field(primary_key=True)
    session_id: str = Field(primary_key=True)  # inferred ones: "inferred:<module>:<UTC start>Z"
    module_id: str
    started_at: str = Field(max_length=TS)  # first event (UTC)
    ended_at: str = Field(max_length=TS)  # last event (UTC)
    practice_s: float = 0.0
    events: int = 0
    attempts: int = 0
    average_score: float | None = None
    inferred: bool = False


class ForecastSample(SQLModel, table=True):
    """A completion forecast replayed on a set of tasks the learner finished: what it said on
    `cut_date`, and what happened (analytics/calibration.py). The learner's rows are
    rewritten with the rest of their derived rows."""

    __tablename__ = "forecast_samples"
    learner_id: str = Field(primary_key=True)
    scope: str = Field(primary_key=True)  # "module:<id>", or "overall" (the whole catalog)
    cut_date: str = Field(primary_key=True, max_length=10)  # local date of the replayed forecast
    completed_date: str = Field(max_length=10)  # local date the last of the tasks was completed
    estimate_days: int  # days from cut_date to the forecast's estimate
    actual_days: int  # days from cut_date to completed_date


class ForecastCalibration(SQLModel, table=True):
    """The quantiles of actual / estimated days per scope and horizon, over every learner's
    forecast_samples; rewritten at the end of each recompute."""

    __tablename__ = "forecast_calibration"
    scope: str = Field(primary_key=True)  # "modules" or "overall"
    horizon: str = Field(primary_key=True)  # "1-7", "8-28", "29-91", "92+" (days) or "all"
    completions: int
    samples: int
    quantiles: str = Field(sa_column=Column(Text, nullable=False))  # JSON array, at every percent 0..100
    computed_as_of: str = Field(max_length=TS)  # the recompute's as_of (UTC)


class ModuleRisk(SQLModel, table=True):
    """The risk of DESIGN 5.7 of each started, unfinished module (migration 10)."""

    __tablename__ = "module_risk"
    learner_id: str = Field(primary_key=True)
    module_id: str = Field(primary_key=True)
    risk: float
    at_risk: bool = False
    reasons: str = Field(sa_column=Column(Text, nullable=False))  # JSON array of texts
    target_date: str | None = Field(default=None, max_length=10)
    top: bool = False  # the learner's highest risk: the learner's risk


class PeerTask(SQLModel, table=True):
    """Who has touched each module and task (migration 10): the peers a learner's pace is
    weighed against (DESIGN 5.7), kept so that `status` and an import's recompute need not
    scan every event. One row per learner and module (task_id "", first_at their first event
    in it) and per learner and task (first_at null)."""

    __tablename__ = "peer_tasks"
    module_id: str = Field(primary_key=True)
    task_id: str = Field(primary_key=True)
    learner_id: str = Field(primary_key=True, index=True)
    first_at: str | None = Field(default=None, max_length=TS)


class AchievementProgress(SQLModel, table=True):
    """What a learner's events say of each catalog achievement (migration 11; analytics
    `achievements.achievement_states`): the reads finish progress and estimated dates from it
    at any later moment (`achievement_progress.evaluated_rows`)."""

    __tablename__ = "achievement_progress"
    learner_id: str = Field(primary_key=True)
    achievement_id: str = Field(primary_key=True)
    earned_at: str | None = Field(default=None, max_length=TS)  # the satisfying event (UTC), null while locked
    current: str = Field(sa_column=Column(Text, nullable=False))  # JSON: each requirement's value after the last event
    history: str = Field(sa_column=Column(Text, nullable=False))  # JSON: per requirement, null or {"base", "changes"}


# The tables of migration 2; a step never changes once released, so later tables are added here.
FIRST_DERIVED_TABLES = [
    LearnerProgress.__table__, ModuleProgress.__table__, SkillProgress.__table__, DailyActivity.__table__,
]
DERIVED_TABLES = [*FIRST_DERIVED_TABLES, Session.__table__, ForecastSample.__table__, ModuleRisk.__table__,
                  PeerTask.__table__, AchievementProgress.__table__]
# Columns migration 11 adds to tables an older store already has: (table, column, SQL type).
READS_COLUMNS = [
    ("learner_progress", "tz", "VARCHAR"), ("learner_progress", "catalog_sha", "VARCHAR(64)"),
    ("learner_progress", "last_import", "INTEGER"), ("learner_progress", "peak_hours", "TEXT"),
    ("learner_progress", "events", "INTEGER"), ("learner_progress", "modules", "TEXT"),
    ("daily_activity", "practice_s", "FLOAT"),
]
