"""One learner's derived rows as recompute stored them, and the listing of every learner: what
the interactive reads answer from (DESIGN 9). Keyword-only helpers, take a Connection.

Values come as the driver gives them through Core: JSON columns are text until `parsed_*`
reads them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, exists, select

from progress_cli.store import queries
from progress_cli.store.dialect import driver_rows
from progress_cli.store.derived import ACHIEVEMENT_PROGRESS as STATES
from progress_cli.store.derived import DAILY_ACTIVITY, LEARNER_PROGRESS, MODULE_PROGRESS, MODULE_RISK, SESSIONS, SKILL_PROGRESS
from progress_cli.store.models import EVENTS, LEARNERS, MODULES, VOIDS

PROGRESS = LEARNER_PROGRESS


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


def changed_since(conn: Connection, learner_id: str, last_import: int) -> bool:
    """Has an import newer than `last_import` added a live event of the learner, or voided one?"""
    if queries.last_import_id(conn) <= last_import:
        return False
    added = select(EVENTS.c.event_id).where(EVENTS.c.learner_id == learner_id, EVENTS.c.import_id > last_import,
                                            EVENTS.c.voided == False)  # noqa: E712
    voided = select(VOIDS.c.event_id).join(EVENTS, EVENTS.c.event_id == VOIDS.c.target_event_id).where(
        EVENTS.c.learner_id == learner_id, VOIDS.c.import_id > last_import)
    return bool(conn.execute(select(exists(added) | exists(voided))).scalar())


def stored_rows(conn: Connection, learner_id: str) -> dict[str, list[dict[str, Any]]]:
    """The learner's module, skill, daily, session and achievement rows (stored order; JSON
    columns parsed): {"modules", "skills", "days", "sessions", "achievements"}."""
    def rows(table, *columns, order=()):
        picked = [table.c[c] for c in columns] or [c for c in table.c if c.name != "learner_id"]
        query = select(*picked).where(table.c.learner_id == learner_id)
        return [dict(r._mapping) for r in conn.execute(query.order_by(*(table.c[c] for c in order)))]

    return {
        "modules": rows(MODULE_PROGRESS),
        "skills": [parsed_skill(s) for s in rows(SKILL_PROGRESS, "skill", "attempts", "current_level",
                                                 "improvement_rate", "consistency", "mastery", "level",
                                                 "next_milestone")],
        "days": rows(DAILY_ACTIVITY, "day", "practice_s", "practice_minutes", "active", "streak", order=("day",)),
        "sessions": rows(SESSIONS, "session_id", "module_id", "started_at", "practice_s", "events", "average_score"),
        "achievements": [parsed_state(a) for a in rows(STATES, "achievement_id", "earned_at", "current", "history")],
    }


LISTING = ("learner_id", "name", "recomputed", "total_progress", "streak_days", "last_active_day", "last_activity",
           "events", "modules", "risk", "at_risk", "risk_module", "reasons")


def learner_listing(conn: Connection) -> list[tuple]:
    """Every learner, by id, with what their last recompute stored, in one query (10,000 rows: no
    Row objects), as tuples of LISTING. Before a recompute the
    figures are None; `events` and `modules` (JSON: [module ids, readiness levels, completion
    rates, attempts], catalog order) are None until one since migration 11; the four risk
    fields, the learner's top module_risk row, None without one (`reasons` as JSON text)."""
    L, P, R = LEARNERS, PROGRESS, MODULE_RISK
    query = (select(L.c.learner_id, L.c.name, P.c.learner_id.is_not(None), P.c.total_progress, P.c.streak_days,
                    P.c.last_active_day, P.c.last_activity, P.c.events, P.c.modules,
                    R.c.risk, R.c.at_risk, R.c.module_id, R.c.reasons)
             .join(P, P.c.learner_id == L.c.learner_id, isouter=True)
             .join(R, (R.c.learner_id == L.c.learner_id) & (R.c.top == True), isouter=True)  # noqa: E712
             .order_by(L.c.learner_id))
    return driver_rows(conn, query)


def module_columns(conn: Connection) -> dict[str, list]:
    """{learner_id: [module ids, readiness levels, completion rates, attempts]} from the
    module_progress rows (catalog order): a store not recomputed since migration 11."""
    mp = MODULE_PROGRESS
    query = (select(mp.c.learner_id, mp.c.module_id, mp.c.readiness, mp.c.completion_rate, mp.c.attempts)
             .join(MODULES, MODULES.c.module_id == mp.c.module_id, isouter=True)
             .order_by(mp.c.learner_id, MODULES.c.position.is_(None), MODULES.c.position, mp.c.module_id))
    modules: dict[str, list] = {}
    for learner_id, *values in driver_rows(conn, query):
        for column, value in zip(modules.setdefault(learner_id, [[], [], [], []]), values):
            column.append(value)
    return modules
