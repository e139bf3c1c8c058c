"""The store's reads that the interactive commands make (DESIGN 9), over lightweight tables.

`status`, `achievements`, `learners` and `leaderboard` should answer about as fast as the stack
starts; importing the SQLModel table classes (pydantic models and ORM mappers) costs ~0.2 s, as
much as the answer itself. So these queries name their tables with `sqlalchemy.table()`, which
Core compiles the same on both backends; queries.py and the other store modules re-export them,
so every caller reads through these. Values come as the driver gives them: booleans are 0/1 on
SQLite, JSON columns are text (`parsed_*` read them). Keyword-only, take a Connection.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from sqlalchemy import Connection, column, exists, func, select, table

EVENT_FRAME_COLUMNS = ("event_id", "learner_id", "session_id", "module_id", "task_id", "skill", "type",
                       "timestamp", "score", "duration_s", "difficulty")

EVENTS = table("events", *map(column, (*EVENT_FRAME_COLUMNS, "voided", "import_id")))
LEARNERS = table("learners", column("learner_id"), column("name"))
CATALOG = table("catalog", column("text"), column("source"))
IMPORTS = table("imports", column("id"))
VOIDS = table("voids", column("event_id"), column("target_event_id"), column("import_id"))
MODULES = table("modules", column("module_id"), column("position"))
PEERS = table("peer_tasks", column("module_id"), column("task_id"), column("learner_id"), column("first_at"))
EARNED = table("achievements_earned", *map(column, ("learner_id", "achievement_id", "earned_at", "points",
                                                    "unlocked_at")))
CALIBRATION = table("forecast_calibration", *map(column, ("scope", "horizon", "completions", "samples", "quantiles",
                                                         "computed_as_of")))
PROGRESS = table("learner_progress", *map(column, (
    "learner_id", "computed_as_of", "total_progress", "certificate_progress", "improvement_rate", "strengths",
    "weaknesses", "streak_days", "last_active_day", "total_time_s", "attempts", "last_activity", "tz", "catalog_sha",
    "last_import", "peak_hours", "events", "modules")))
MODULE_PROGRESS = table("module_progress", *map(column, (
    "learner_id", "module_id", "in_catalog", "tasks_total", "completed_tasks", "completion_rate", "average_score",
    "attempts", "session_count", "total_time_s", "last_activity", "efficiency", "readiness", "readiness_basis",
    "trend_slope", "trend_direction")))
SKILLS = table("skill_progress", *map(column, ("learner_id", "skill", "attempts", "current_level", "improvement_rate",
                                               "consistency", "mastery", "level", "next_milestone")))
DAYS = table("daily_activity", *map(column, ("learner_id", "day", "practice_s", "practice_minutes", "active", "streak")))
SESSIONS = table("sessions", *map(column, ("learner_id", "session_id", "module_id", "started_at", "practice_s", "events",
                                           "average_score")))
STATES = table("achievement_progress", *map(column, ("learner_id", "achievement_id", "earned_at", "current", "history")))
RISKS = table("module_risk", *map(column, ("learner_id", "module_id", "risk", "at_risk", "reasons", "top")))
_CHUNK = 500  # ids per IN list


# --------------------------------------------------------------------------- learners, catalog, events

def catalog_text(conn: Connection) -> tuple[str, str] | None:
    """(TOML text, source path) of the loaded catalog, or None."""
    row = conn.execute(select(CATALOG.c.text, CATALOG.c.source)).first()
    return (row.text, row.source) if row else None


def learner_ids(conn: Connection) -> list[str]:
    return list(conn.execute(select(LEARNERS.c.learner_id).order_by(LEARNERS.c.learner_id)).scalars())


def all_learner_names(conn: Connection) -> dict[str, str | None]:
    """Every learner's name (None without one), by id."""
    return dict(conn.execute(select(LEARNERS.c.learner_id, LEARNERS.c.name).order_by(LEARNERS.c.learner_id)).all())


def learner_names(conn: Connection, learner_ids: list[str]) -> dict[str, str | None]:
    found = {}
    for start in range(0, len(learner_ids), _CHUNK):
        chunk = learner_ids[start:start + _CHUNK]
        query = select(LEARNERS.c.learner_id, LEARNERS.c.name).where(LEARNERS.c.learner_id.in_(chunk))
        found.update((r.learner_id, r.name) for r in conn.execute(query))
    return found


def learner_rows(conn: Connection, learner_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Every learner (or these) with name, event count and last activity (UTC text), by id:
    a scan of their events (`listing_rows` has the counts of the last recompute)."""
    live = EVENTS.c.voided == False  # noqa: E712
    stats = select(EVENTS.c.learner_id, func.count().label("events"), func.max(EVENTS.c.timestamp).label("last"))
    if learner_ids is not None:
        stats = stats.where(EVENTS.c.learner_id.in_(learner_ids))
    stats = stats.where(live).group_by(EVENTS.c.learner_id).subquery()
    query = (
        select(LEARNERS.c.learner_id, LEARNERS.c.name, stats.c.events, stats.c.last)
        .join(stats, stats.c.learner_id == LEARNERS.c.learner_id, isouter=True)
        .order_by(LEARNERS.c.learner_id)
    )
    if learner_ids is not None:
        query = query.where(LEARNERS.c.learner_id.in_(learner_ids))
    return [dict(r._mapping) for r in conn.execute(query)]


def live_events(conn: Connection, *, learner_ids: list[str] | None = None,
                between: tuple[str, str] | None = None) -> list[tuple]:
    """Non-voided events of some learners (ids, or an inclusive id range), columns EVENT_FRAME_COLUMNS.

    Rows stream (a server-side cursor on PostgreSQL), so the client holds only what it returns.
    """
    columns = [EVENTS.c[c] for c in EVENT_FRAME_COLUMNS]
    query = select(*columns).where(EVENTS.c.voided == False).execution_options(yield_per=5000)  # noqa: E712
    if between is not None:
        query = query.where(EVENTS.c.learner_id.between(*between))
    if learner_ids is None:
        return [tuple(r) for r in conn.execute(query)]
    rows: list[tuple] = []
    for start in range(0, len(learner_ids), _CHUNK):
        chunk = learner_ids[start:start + _CHUNK]
        rows.extend(tuple(r) for r in conn.execute(query.where(EVENTS.c.learner_id.in_(chunk))))
    return rows


def last_import_id(conn: Connection) -> int:
    """The id of the newest import (0 before any): recompute stores it beside each learner's
    figures, and a newer import of the learner's events makes the reads compute from the events."""
    return conn.execute(select(func.max(IMPORTS.c.id))).scalar() or 0


def changed_since(conn: Connection, learner_id: str, last_import: int) -> bool:
    """Has an import newer than `last_import` added a live event of the learner, or voided one?"""
    if last_import_id(conn) <= last_import:
        return False
    added = select(EVENTS.c.event_id).where(EVENTS.c.learner_id == learner_id, EVENTS.c.import_id > last_import,
                                            EVENTS.c.voided == False)  # noqa: E712
    voided = select(VOIDS.c.event_id).join(EVENTS, EVENTS.c.event_id == VOIDS.c.target_event_id).where(
        EVENTS.c.learner_id == learner_id, VOIDS.c.import_id > last_import)
    return bool(conn.execute(select(exists(added) | exists(voided))).scalar())


def module_ids(conn: Connection) -> list[str]:
    """Every module the store knows (the catalog's and those events named)."""
    return list(conn.execute(select(MODULES.c.module_id)).scalars())


def stored_unlocks(conn: Connection, learner_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The stored unlocks (of these learners, or everyone's), oldest first."""
    query = select(EARNED).order_by(EARNED.c.earned_at, EARNED.c.learner_id, EARNED.c.achievement_id)
    if learner_ids is not None:
        query = query.where(EARNED.c.learner_id.in_(learner_ids))
    return [dict(r._mapping) for r in conn.execute(query)]


def calibration_rows(conn: Connection) -> list[dict[str, Any]]:
    """The stored calibration: one dict per (scope, horizon)."""
    return [dict(r._mapping) for r in conn.execute(select(CALIBRATION))]


# --------------------------------------------------------------------------- the risk's peers

def module_peers(conn: Connection, *, until: str) -> dict[str, dict[str, Any]]:
    """Per module, over every learner's live events up to `until` (stored UTC text):
    {"learners": learners with an event in it, "first": its first event's time (stored text),
    "tasks": {task_id: learners with an event on that task}}. The risk of DESIGN 5.7 weighs a
    learner's pace against these."""
    live = (EVENTS.c.voided == False) & (EVENTS.c.timestamp <= until)  # noqa: E712
    modules = select(EVENTS.c.module_id, func.count(EVENTS.c.learner_id.distinct()), func.min(EVENTS.c.timestamp)) \
        .where(live).group_by(EVENTS.c.module_id)
    out = {m: {"learners": n, "first": first, "tasks": {}} for m, n, first in conn.execute(modules)}
    tasks = select(EVENTS.c.module_id, EVENTS.c.task_id, func.count(EVENTS.c.learner_id.distinct())) \
        .where(live & EVENTS.c.task_id.is_not(None)).group_by(EVENTS.c.module_id, EVENTS.c.task_id)
    for module_id, task_id, n in conn.execute(tasks):
        out[module_id]["tasks"][task_id] = n
    return out


def stored_module_peers(conn: Connection, modules: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """`module_peers` as the last recompute of each learner left them (table `peer_tasks`),
    for some modules (None: all)."""
    where = PEERS.c.module_id.in_(modules) if modules is not None else True
    # Two passes: the module rows with their first_at, then the task rows counted from the
    # primary key alone (a quarter of the time of one pass that reads every row's first_at).
    per_module = select(PEERS.c.module_id, func.count(), func.min(PEERS.c.first_at)) \
        .where(where, PEERS.c.task_id == "").group_by(PEERS.c.module_id)
    out = {m: {"learners": n, "first": first, "tasks": {}} for m, n, first in conn.execute(per_module)}
    per_task = select(PEERS.c.module_id, PEERS.c.task_id, func.count()) \
        .where(where, PEERS.c.task_id != "").group_by(PEERS.c.module_id, PEERS.c.task_id)
    for module_id, task_id, n in conn.execute(per_task):
        if module_id in out:
            out[module_id]["tasks"][task_id] = n
    return {m: e for m, e in out.items() if e["first"] is not None}


def stored_learner_risks(conn: Connection) -> dict[str, dict[str, Any]]:
    """{learner_id: {"risk", "at_risk", "module_id", "reasons"}} from the last recompute."""
    query = select(RISKS.c.learner_id, RISKS.c.module_id, RISKS.c.risk, RISKS.c.at_risk, RISKS.c.reasons) \
        .where(RISKS.c.top == True)  # noqa: E712
    return {r.learner_id: {"risk": r.risk, "at_risk": bool(r.at_risk), "module_id": r.module_id,
                           "reasons": orjson.loads(r.reasons)} for r in conn.execute(query)}


# --------------------------------------------------------------------------- derived rows

def stored_progress(conn: Connection, learner_id: str) -> dict[str, Any] | None:
    """The learner's learner_progress row (JSON columns parsed), or None before any recompute."""
    row = conn.execute(select(PROGRESS).where(PROGRESS.c.learner_id == learner_id)).first()
    return None if row is None else parsed_progress(dict(row._mapping))


def parsed_progress(row: dict[str, Any]) -> dict[str, Any]:
    """A learner_progress row with its JSON columns read (the stored one, or one about to be)."""
    return row | {c: None if row.get(c) is None else json.loads(row[c]) for c in ("strengths", "weaknesses", "peak_hours")}


def parsed_skill(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"next_milestone": None if row["next_milestone"] is None else json.loads(row["next_milestone"])}


def parsed_state(row: dict[str, Any]) -> dict[str, Any]:
    """An achievement_progress row with `current` and `history` read."""
    return row | {"current": json.loads(row["current"]), "history": json.loads(row["history"])}


def stored_rows(conn: Connection, learner_id: str) -> dict[str, list[dict[str, Any]]]:
    """The learner's module, skill, daily, session and achievement rows (stored order; JSON
    columns parsed): {"modules", "skills", "days", "sessions", "achievements"}."""
    def rows(t, order=()):
        query = select(*(c for c in t.c if c.name != "learner_id")).where(t.c.learner_id == learner_id)
        return [dict(r._mapping) for r in conn.execute(query.order_by(*(t.c[c] for c in order)))]

    return {
        "modules": rows(MODULE_PROGRESS),
        "skills": [parsed_skill(s) for s in rows(SKILLS)],
        "days": rows(DAYS, order=("day",)),
        "sessions": rows(SESSIONS),
        "achievements": [parsed_state(a) for a in rows(STATES)],
    }


def listing_rows(conn: Connection) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """Every recomputed learner's figures (total_progress, streak_days, last_active_day,
    last_activity, events) and modules (catalog order), as `learners` and the leaderboard list
    them: ({learner_id: row}, {learner_id: [module_ids, readiness levels, completion rates,
    attempts]}). One row per learner (learner_progress.modules, migration 11), or the
    module_progress rows of a store not recomputed since."""
    progress, modules = {}, {}
    for r in conn.execute(select(PROGRESS.c.learner_id, PROGRESS.c.total_progress, PROGRESS.c.streak_days,
                                 PROGRESS.c.last_active_day, PROGRESS.c.last_activity, PROGRESS.c.events,
                                 PROGRESS.c.modules)):
        progress[r.learner_id] = {"total_progress": r.total_progress, "streak_days": r.streak_days,
                                  "last_active_day": r.last_active_day, "last_activity": r.last_activity,
                                  "events": r.events}
        modules[r.learner_id] = r.modules
    if all(m is not None for m in modules.values()):
        return progress, {lid: orjson.loads(text) for lid, text in modules.items()}
    mp = MODULE_PROGRESS
    query = (select(mp.c.learner_id, mp.c.module_id, mp.c.readiness, mp.c.completion_rate, mp.c.attempts)
             .join(MODULES, MODULES.c.module_id == mp.c.module_id, isouter=True)
             .order_by(mp.c.learner_id, MODULES.c.position.is_(None), MODULES.c.position, mp.c.module_id))
    modules = {}
    for learner_id, *values in conn.execute(query):
        for column, value in zip(modules.setdefault(learner_id, [[], [], [], []]), values):
            column.append(value)
    return progress, modules
