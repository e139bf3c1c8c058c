"""One learner's derived rows, as `status` and `achievements` assemble their answer from them:
those recompute stored, when they answer for the as-of moment (DESIGN 9: no pandas), else the
same rows computed from the events by the full analysis.

The stored rows answer when the learner's last recompute counted days in the same zone, used
the same catalog, ran at or before the as-of moment and saw every event the learner has up to
it (no newer import added or voided one, none falls between the two moments), and when the
week that was current then met the weekly goal only if no locked achievement reads that run
(a week counts for it once it is complete, so moving into the next week could earn one).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from progress_cli.catalog import Catalog
from progress_cli.store import derived_reads, queries
from progress_cli.store.derived_reads import changed_since, parsed_progress, parsed_skill, parsed_state, stored_progress
from progress_cli.store.models import stored_time

_TS = queries.EVENT_FRAME_COLUMNS.index("timestamp")
Rows = dict[str, Any]  # {"progress", "modules", "skills", "days", "sessions", "achievements"}


def current_stored_rows(conn: Connection, learner_id: str, catalog: Catalog, tz: ZoneInfo, moment: dt.datetime,
                        events: list[tuple]) -> Rows | None:
    """The learner's stored rows if they answer for `moment` (see the module), else None.
    `events`: the learner's live events (store.queries.EVENT_FRAME_COLUMNS)."""
    progress = stored_progress(conn, learner_id)
    if progress is None or progress["tz"] != tz.key or progress["catalog_sha"] != catalog.fingerprint():
        return None
    computed, until = progress["computed_as_of"], stored_time(moment)
    if until < computed or any(computed < row[_TS] <= until for row in events):
        return None
    if changed_since(conn, learner_id, progress["last_import"]):
        return None
    rows = {"progress": progress, **derived_reads.stored_rows(conn, learner_id)}
    if _goal_week_completed(catalog, rows, computed, moment, tz):
        return None
    return rows


def analysed_rows(analysis, catalog: Catalog, as_of: dt.datetime, learner_id: str) -> Rows:
    """The same rows from a full analysis of the learner's events (pandas)."""
    from progress_cli.services.derived_rows import Stamp, derived_rows  # pandas: the full path

    tables = derived_rows(analysis, catalog, as_of, Stamp(tz="", catalog_sha="", last_import=0), {})
    mine = {table.name: [r for r in rows if r["learner_id"] == learner_id] for table, rows in tables.items()}
    progress = mine["learner_progress"]
    return {
        "progress": parsed_progress(progress[0]) if progress else None,
        "modules": mine["module_progress"],
        "skills": [parsed_skill(s) for s in mine["skill_progress"]],
        "days": mine["daily_activity"],
        "sessions": mine["sessions"],
        "achievements": [parsed_state(a) for a in mine["achievement_progress"]],
    }


def _goal_week_completed(catalog: Catalog, rows: Rows, computed: str, moment: dt.datetime, tz: ZoneInfo) -> bool:
    """Could a locked achievement that reads the weekly-goal run be earned by now? A week
    counts for the run once it is complete (achievements.achievement_states), so the week of
    the recompute, if it met the goal, adds one to the run of each of its events that came
    after the goal was met, once that week is over: an achievement whose only requirement is
    `weekly_goal_weeks >= N` (or >) is earned then when its stored value plus one reaches N;
    any other that reads the run, when the week met the goal at all."""
    from progress_cli.analytics import dated, rules  # numpy: only with the rows in hand
    from progress_cli.analytics.achievement_progress import OPS

    goal = catalog.weekly_goal_minutes
    states = {s["achievement_id"]: s for s in rows["achievements"] if s["earned_at"] is None}
    reading = [a for a in catalog.achievements if a.id in states
               and any(r.metric == "weekly_goal_weeks" for r in a.requirements)]
    then = dt.datetime.strptime(computed, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    then_day, today = (dated.day_number(m.astimezone(tz).date()) for m in (then, moment))
    if goal <= 0 or not reading or dated.week_of(then_day) == dated.week_of(today):
        return False
    if not rules.rounded(dated.week_minutes(rows["days"], then_day) / goal) >= 1.0:
        return False
    for a in reading:
        req = a.requirements[0]
        if len(a.requirements) > 1 or req.op not in (">=", ">"):
            return True
        if OPS[req.op](rules.rounded(states[a.id]["current"][0] + 1), float(req.value)):
            return True
    return False
