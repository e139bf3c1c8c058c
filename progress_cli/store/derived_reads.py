"""One learner's derived rows as recompute stored them, for the reads that answer from them
(DESIGN 9): `status` and `achievements` without the events' full computation."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, exists, func, select

from progress_cli.store import queries
from progress_cli.store.derived import (
    AchievementProgress, DailyActivity, LearnerProgress, ModuleProgress, Session, SkillProgress,
)

LP, MP, SP = LearnerProgress.__table__, ModuleProgress.__table__, SkillProgress.__table__
DA, SE, AP = DailyActivity.__table__, Session.__table__, AchievementProgress.__table__
_PROGRESS = ("computed_as_of", "total_progress", "certificate_progress", "improvement_rate", "strengths",
             "weaknesses", "total_time_s", "tz", "catalog_sha", "last_import", "peak_hours")


def stored_progress(conn: Connection, learner_id: str) -> dict[str, Any] | None:
    """The learner's learner_progress row (JSON columns parsed), or None before any recompute."""
    row = conn.execute(select(*(LP.c[c] for c in _PROGRESS)).where(LP.c.learner_id == learner_id)).first()
    return None if row is None else parsed_progress(dict(row._mapping))


def parsed_progress(row: dict[str, Any]) -> dict[str, Any]:
    """A learner_progress row with its JSON columns read (the stored one, or one about to be)."""
    return row | {c: None if row.get(c) is None else json.loads(row[c]) for c in ("strengths", "weaknesses", "peak_hours")}


def parsed_skill(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"next_milestone": None if row["next_milestone"] is None else json.loads(row["next_milestone"])}


def parsed_state(row: dict[str, Any]) -> dict[str, Any]:
    """An achievement_progress row with `current` and `history` read."""
    return row | {"current": json.loads(row["current"]), "history": json.loads(row["history"])}


def changed_since(conn: Connection, learner_id: str, last_import: int) -> bool:
    """Has an import newer than `last_import` added a live event of the learner, or voided one?"""
    if (conn.execute(select(func.max(queries.IMPORTS.c.id))).scalar() or 0) <= last_import:
        return False
    events, voids = queries.EVENTS, queries.VOIDS
    added = select(events.c.event_id).where(events.c.learner_id == learner_id, events.c.import_id > last_import,
                                            events.c.voided == False)  # noqa: E712
    voided = select(voids.c.event_id).join(events, events.c.event_id == voids.c.target_event_id).where(
        events.c.learner_id == learner_id, voids.c.import_id > last_import)
    return bool(conn.execute(select(exists(added) | exists(voided))).scalar())


def stored_rows(conn: Connection, learner_id: str) -> dict[str, list[dict[str, Any]]]:
    """The learner's module, skill, daily, session and achievement rows (stored order; JSON
    columns parsed): {"modules", "skills", "days", "sessions", "achievements"}."""
    def rows(table, *columns, order=()):
        query = select(*(table.c[c] for c in columns)).where(table.c.learner_id == learner_id)
        return [dict(r._mapping) for r in conn.execute(query.order_by(*(table.c[c] for c in order)))]

    skills = rows(SP, "skill", "attempts", "current_level", "improvement_rate", "consistency", "mastery", "level",
                  "next_milestone")
    return {
        "modules": rows(MP, *(c.key for c in MP.columns if c.key != "learner_id")),
        "skills": [parsed_skill(s) for s in skills],
        "days": rows(DA, "day", "practice_s", "practice_minutes", "active", "streak", order=("day",)),
        "sessions": rows(SE, "session_id", "module_id", "started_at", "practice_s", "events", "average_score"),
        "achievements": [parsed_state(a) for a in rows(AP, "achievement_id", "earned_at", "current", "history")],
    }
