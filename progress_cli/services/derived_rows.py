"""An analysis as the rows of the derived tables (store/derived.py): what recompute writes, and
what the full path of `status` and `achievements` assembles its answer from, so that the reads
from the stored rows (DESIGN 9) and the full computation go through the same rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from progress_cli.analytics import next_milestone
from progress_cli.analytics.achievements import achievement_states
from progress_cli.analytics.insights import peak_hours_by_learner
from progress_cli.catalog import Catalog
from progress_cli.json_output import to_json
from progress_cli.services.frames import records
from progress_cli.store.derived import (
    ACHIEVEMENT_PROGRESS, DAILY_ACTIVITY, LEARNER_PROGRESS, MODULE_PROGRESS, SESSIONS, SKILL_PROGRESS,
)
from progress_cli.store.models import stored_time

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Stamp:
    """What a learner's derived rows were computed with (learner_progress, migration 11)."""

    tz: str
    catalog_sha: str
    last_import: int  # the newest imports.id seen (0: none)


def derived_rows(result, catalog: Catalog, as_of: dt.datetime, stamp: Stamp,
                 events: Mapping[str, int]) -> dict[Any, Rows]:
    """{table: rows} of every learner of the analysis `result` (analytics.analyze); `events`:
    each learner's live events, whatever their time."""
    return {
        LEARNER_PROGRESS: progress_rows(result, as_of, stamp, events),
        MODULE_PROGRESS: _columns(result.modules, MODULE_PROGRESS),
        SKILL_PROGRESS: skill_rows(result),
        DAILY_ACTIVITY: _columns(result.daily, DAILY_ACTIVITY, dates=("day",)),
        SESSIONS: _columns(result.sessions.rename(columns={"start": "started_at", "end": "ended_at"}), SESSIONS),
        ACHIEVEMENT_PROGRESS: achievement_rows(result, catalog),
    }


def progress_rows(result, as_of: dt.datetime, stamp: Stamp, events: Mapping[str, int]) -> Rows:
    overall = result.overall.copy()
    overall["computed_as_of"] = stored_time(as_of)
    overall["last_active_day"] = result.streaks["last_active_day"].to_numpy()
    overall["predicted_completion_date"] = None
    peaks = peak_hours_by_learner(result.prepared)
    overall["peak_hours"] = [to_json(peaks[lid], indent=None, compact=True) for lid in overall["learner_id"]]
    overall["events"] = [events.get(lid, 0) for lid in overall["learner_id"]]
    listed: dict[str, list] = {lid: [[], [], [], []] for lid in overall["learner_id"]}
    for m in records(result.modules, ["learner_id", "module_id", "readiness", "completion_rate", "attempts"]):
        for column, value in zip(listed[m["learner_id"]], (m["module_id"], m["readiness"], m["completion_rate"],
                                                           m["attempts"])):
            column.append(value)
    overall["modules"] = [to_json(listed[lid], indent=None, compact=True) for lid in overall["learner_id"]]
    rows = _columns(overall, LEARNER_PROGRESS, dates=("last_active_day",), json_columns=("strengths", "weaknesses"),
                    without=("tz", "catalog_sha", "last_import"))
    return [r | {"tz": stamp.tz, "catalog_sha": stamp.catalog_sha, "last_import": stamp.last_import} for r in rows]


def skill_rows(result) -> Rows:
    skills = result.skills.copy()
    skills["next_milestone"] = [
        None if m is None else to_json(m, indent=None, ascii_only=True)
        for m in map(next_milestone, skills["next_level"], skills["next_threshold"], skills["attempts_needed"])]
    return _columns(skills, SKILL_PROGRESS)


def achievement_rows(result, catalog: Catalog) -> Rows:
    return [{"learner_id": s["learner_id"], "achievement_id": s["achievement_id"], "earned_at": s["earned_at"],
             "current": to_json(s["current"], indent=None, compact=True),
             "history": to_json(s["history"], indent=None, compact=True)}
            for s in achievement_states(result.prepared, catalog.achievements)]


def _columns(frame, table, *, dates=(), json_columns=(), without=()) -> Rows:
    return records(frame, [c.key for c in table.columns if c.key not in without],
                   dates=dates, json_columns=json_columns)
