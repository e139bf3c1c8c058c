"""Derived tables that `progress recompute` rewrites learner by learner (DESIGN section 4).

They hold the figures as of the last recompute, for fast listings (`learners`, leaderboards,
reports of many learners). Anything asked `--as-of` another time is computed from events.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, String, Table, Text

from progress_cli.store.models import counter, flag, local_date, metadata, pk, required, stamp


LEARNER_PROGRESS = Table(
    "learner_progress", metadata,
    pk("learner_id"),
    stamp("computed_as_of"),
    Column("total_progress", Float),
    Column("certificate_progress", Float),
    Column("improvement_rate", Float),
    Column("strengths", String),  # JSON array of skill ids
    Column("weaknesses", String),
    counter("streak_days"),
    local_date("last_active_day"),  # for a stale streak
    counter("total_time_s", Float),
    counter("attempts"),
    stamp("last_activity", nullable=True),
    local_date("predicted_completion_date"),
    # Migration 11: what the reads need to answer from these rows (DESIGN 9). Null until the
    # learner's first recompute after the upgrade; the reads compute from the events till then.
    Column("tz", String),  # the zone of the recompute (--tz): days and weeks are counted in it
    Column("catalog_sha", String(64)),  # Catalog.fingerprint() of the catalog it used
    Column("last_import", Integer),  # the newest import (imports.id) the recompute saw; 0 before any
    Column("peak_hours", Text),  # JSON: patterns.peak_hours
    Column("events", Integer),  # the learner's live events when recomputed (`learners` lists it)
    # JSON: [module_ids, readiness levels, completion rates, attempts], catalog order:
    # `learners` and the leaderboard read one row per learner
    Column("modules", Text),
)

MODULE_PROGRESS = Table(
    "module_progress", metadata,
    pk("learner_id"),
    pk("module_id"),
    flag("in_catalog"),
    counter("tasks_total"),
    counter("completed_tasks"),
    Column("completion_rate", Float),
    Column("average_score", Float),
    counter("attempts"),
    counter("session_count"),
    counter("total_time_s", Float),
    stamp("last_activity", nullable=True),
    Column("efficiency", Float),
    required("readiness", default="BEGINNER"),
    counter("readiness_basis"),
    Column("trend_slope", Float),
    Column("trend_direction", String),
)

SKILL_PROGRESS = Table(
    "skill_progress", metadata,
    pk("learner_id"),
    pk("skill"),
    counter("attempts"),
    Column("current_level", Float),
    Column("improvement_rate", Float),
    Column("consistency", Float),
    Column("mastery", Float),
    Column("level", String),
    Column("next_milestone", Text),  # JSON object
)

DAILY_ACTIVITY = Table(
    "daily_activity", metadata,
    pk("learner_id"),
    pk("day", String(10)),  # local date in --tz
    counter("practice_minutes", Float),
    counter("events"),
    counter("attempts"),
    Column("mean_score", Float),
    counter("modules_completed"),
    counter("skills_practised"),
    flag("active"),
    counter("streak"),
    Column("practice_s", Float),  # migration 11 (weekly sums add seconds, as the analytics do)
)

# A learner's session: its session_id, or the key inferred from a 30-minute gap (DESIGN 2).
SESSIONS = Table(
    "sessions", metadata,
    pk("learner_id"),
    pk("session_id"),  # inferred ones: "inferred:<module>:<UTC start>Z"
    required("module_id"),
    stamp("started_at"),  # first event
    stamp("ended_at"),  # last event
    counter("practice_s", Float),
    counter("events"),
    counter("attempts"),
    Column("average_score", Float),
    flag("inferred"),
)

# A completion forecast replayed on a set of tasks the learner finished: what it said on
# `cut_date`, and what happened (analytics/calibration.py). The learner's rows are rewritten
# with the rest of their derived rows.
FORECAST_SAMPLES = Table(
    "forecast_samples", metadata,
    pk("learner_id"),
    pk("scope"),  # "module:<id>", or "overall" (the whole catalog)
    pk("cut_date", String(10)),  # local date of the replayed forecast
    local_date("completed_date", nullable=False),  # local date the last of the tasks was completed
    required("estimate_days", Integer),  # days from cut_date to the forecast's estimate
    required("actual_days", Integer),  # days from cut_date to completed_date
)

# The quantiles of actual / estimated days per scope and horizon, over every learner's
# forecast_samples; rewritten at the end of each recompute.
FORECAST_CALIBRATION = Table(
    "forecast_calibration", metadata,
    pk("scope"),  # "modules" or "overall"
    pk("horizon"),  # "1-7", "8-28", "29-91", "92+" (days) or "all"
    required("completions", Integer),
    required("samples", Integer),
    required("quantiles", Text),  # JSON array, at every percent 0..100
    stamp("computed_as_of"),  # the recompute's as_of
)

# The risk of DESIGN 5.7 of each started, unfinished module (migration 10).
MODULE_RISK = Table(
    "module_risk", metadata,
    pk("learner_id"),
    pk("module_id"),
    required("risk", Float),
    flag("at_risk"),
    required("reasons", Text),  # JSON array of texts
    local_date("target_date"),
    flag("top"),  # the learner's highest risk: the learner's risk
)

# Who has touched each module and task (migration 10): the peers a learner's pace is weighed
# against (DESIGN 5.7), kept so that `status` and an import's recompute need not scan every
# event. One row per learner and module (task_id "", first_at their first event in it) and per
# learner and task (first_at null).
PEER_TASKS = Table(
    "peer_tasks", metadata,
    pk("module_id"),
    pk("task_id"),
    pk("learner_id", index=True),
    stamp("first_at", nullable=True),
)

# What a learner's events say of each catalog achievement (migration 11; analytics
# `achievements.achievement_states`): the reads finish progress and estimated dates from it at
# any later moment (`achievement_progress.evaluated_rows`).
ACHIEVEMENT_PROGRESS = Table(
    "achievement_progress", metadata,
    pk("learner_id"),
    pk("achievement_id"),
    stamp("earned_at", nullable=True),  # the satisfying event, null while locked
    required("current", Text),  # JSON: each requirement's value after the learner's last event
    required("history", Text),  # JSON: per requirement, null or {"base", "changes"}
)

# The tables of migration 2; a step never changes once released, so later tables are added here.
FIRST_DERIVED_TABLES = [LEARNER_PROGRESS, MODULE_PROGRESS, SKILL_PROGRESS, DAILY_ACTIVITY]
DERIVED_TABLES = [*FIRST_DERIVED_TABLES, SESSIONS, FORECAST_SAMPLES, MODULE_RISK, PEER_TASKS, ACHIEVEMENT_PROGRESS]
# Columns migration 11 adds to tables an older store already has: (table, column, SQL type).
READS_COLUMNS = [
    ("learner_progress", "tz", "VARCHAR"), ("learner_progress", "catalog_sha", "VARCHAR(64)"),
    ("learner_progress", "last_import", "INTEGER"), ("learner_progress", "peak_hours", "TEXT"),
    ("learner_progress", "events", "INTEGER"), ("learner_progress", "modules", "TEXT"),
    ("daily_activity", "practice_s", "FLOAT"),
]
