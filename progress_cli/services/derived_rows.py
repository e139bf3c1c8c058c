"""An analysis as the rows of the derived tables (store/derived.py): what recompute writes, and
what the full path of `status` and `achievements` assembles its answer from, so that the reads
from the stored rows (DESIGN 9) and the full computation go through the same rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from progress_cli.analytics import next_milestone
from progress_cli.analytics.achievements import achievement_states
from progress_cli.analytics.insights import peak_hours_by_learner
from progress_cli.catalog import Catalog
from progress_cli.json_output import to_json
from progress_cli.services.frames import records, row_tuples
from progress_cli.store.derived import (
    ACHIEVEMENT_PROGRESS, DAILY_ACTIVITY, LEARNER_PROGRESS, MODULE_PROGRESS, SESSIONS, SKILL_PROGRESS,
)
from progress_cli.store.models import stored_time

Rows = list[dict[str, Any]] | list[tuple]


@dataclass(frozen=True)
class Stamp:
    """What a learner's derived rows were computed with (learner_progress, migration 11)."""

    tz: str
    catalog_sha: str
    last_import: int  # the newest imports.id seen (0: none)


def derived_rows(result, catalog: Catalog, as_of: dt.datetime, stamp: Stamp,
                 events: Mapping[str, int], *, tuples: bool = False) -> dict[Any, Rows]:
    """{table: rows} of every learner of the analysis `result` (analytics.analyze); `events`:
    each learner's live events, whatever their time. Rows are dicts, or with `tuples` tuples
    in the table's column order (what recompute writes: smaller to pickle and to insert)."""
    def columns(frame, table, **how):
        keys = [c.key for c in table.columns]
        return row_tuples(frame, keys, **how) if tuples else records(frame, keys, **how)

    states = achievement_rows(result, catalog)
    return {
        LEARNER_PROGRESS: columns(progress_frame(result, as_of, stamp, events), LEARNER_PROGRESS,
                                  dates=("last_active_day",), json_columns=("strengths", "weaknesses")),
        MODULE_PROGRESS: columns(result.modules, MODULE_PROGRESS),
        SKILL_PROGRESS: columns(skill_frame(result), SKILL_PROGRESS),
        DAILY_ACTIVITY: columns(result.daily, DAILY_ACTIVITY, dates=("day",)),
        SESSIONS: columns(result.sessions.rename(columns={"start": "started_at", "end": "ended_at"}), SESSIONS),
        ACHIEVEMENT_PROGRESS: [tuple(s[c.key] for c in ACHIEVEMENT_PROGRESS.columns) for s in states]
        if tuples else states,
    }


def progress_frame(result, as_of: dt.datetime, stamp: Stamp, events: Mapping[str, int]):
    """`learner_progress` of every learner, as a frame."""
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
    overall["tz"], overall["catalog_sha"], overall["last_import"] = stamp.tz, stamp.catalog_sha, stamp.last_import
    return overall


def skill_frame(result):
    """`skill_progress` of every learner, as a frame."""
    skills = result.skills.copy()
    skills["next_milestone"] = [
        None if m is None else _milestone_json(m["level"], m["threshold"], m["attempts_needed"])
        for m in map(next_milestone, skills["next_level"], skills["next_threshold"], skills["attempts_needed"])]
    return skills


@lru_cache(maxsize=4096)
def _milestone_json(level: str, threshold: float, attempts_needed: int | None) -> str:
    # a few dozen distinct milestones among a million skill rows: each written once
    return to_json({"level": level, "threshold": threshold, "attempts_needed": attempts_needed},
                   indent=None, ascii_only=True)


def achievement_rows(result, catalog: Catalog) -> list[dict[str, Any]]:
    """`achievement_progress` of every learner: each achievement's state after their last event."""
    return [{"learner_id": s["learner_id"], "achievement_id": s["achievement_id"], "earned_at": s["earned_at"],
             "current": to_json(s["current"], indent=None, compact=True),
             "history": to_json(s["history"], indent=None, compact=True)}
            for s in achievement_states(result.prepared, catalog.achievements)]
