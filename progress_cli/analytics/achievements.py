"""Achievements (DESIGN 6): when each was earned, and progress toward the locked ones.

An achievement is earned at the first event after which all its requirements hold (so an
import of older events can earn it in the past); it is never taken away, which the store
guarantees by keeping unlocks. Progress is the minimum over requirements of
min(current / required, 1), with an estimated date from the last 14 days' pace where the
metric accumulates.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from progress_cli.analytics import _groups as g
from progress_cli.analytics import dated
from progress_cli.analytics.achievement_progress import OPS, PACE_DAYS, paced, progress_and_eta, required_value
from progress_cli.analytics.aggregates import daily, streaks
from progress_cli.analytics.metrics import Timeline
from progress_cli.analytics.prepare import Prepared
from progress_cli.analytics.rows import daily_by_learner
from progress_cli.catalog import Achievement

ACHIEVEMENT_COLUMNS = [
    "learner_id", "achievement_id", "earned_at", "progress", "current", "required", "estimated_date",
]
_DAY_NS = 86_400 * 10**9


def evaluate(prepared: Prepared, achievements: tuple[Achievement, ...] | list[Achievement],
             current: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """One row per (learner, achievement): earned_at (UTC, NaT while locked), progress (0..1),
    current and required (lists, one value per requirement), estimated_date (local date or None).

    `current` overrides a metric's value today, per learner (e.g. `streak_days` from `streaks`,
    which drops to 0 after a missed day even without a new event).
    """
    current = _with_current_values(prepared, achievements, dict(current or {}))
    out: dict[str, list] = {c: [] for c in ACHIEVEMENT_COLUMNS}
    for achievement, (timeline, earned, now_values, then_values) in zip(achievements, _walk(prepared, achievements)):
        now_values = [np.asarray(current[r.metric], dtype=float) if r.metric in current else now
                      for r, now in zip(achievement.requirements, now_values)]
        done = earned >= 0
        progress, eta = progress_and_eta(achievement, now_values, then_values, done)
        for i, learner in enumerate(prepared.learners):
            out["learner_id"].append(learner)
            out["achievement_id"].append(achievement.id)
            out["earned_at"].append(pd.Timestamp(timeline.ts[earned[i]], tz="UTC") if done[i] else pd.NaT)
            out["progress"].append(float(progress[i]))
            out["current"].append([float(v[i]) for v in now_values])
            out["required"].append([required_value(r) for r in achievement.requirements])
            out["estimated_date"].append(None if done[i] or math.isnan(eta[i]) else _date_after(prepared, eta[i]))
    return pd.DataFrame(out, columns=ACHIEVEMENT_COLUMNS)


def achievement_states(prepared: Prepared, achievements: tuple[Achievement, ...] | list[Achievement]) -> list[dict]:
    """What the events alone say of each (learner, achievement), for recompute to store and
    `achievement_progress.evaluated_rows` to read at any later moment: {"learner_id",
    "achievement_id", "earned_at" (UTC text or None), "current" (each requirement's value
    after the learner's last event), "history" (per requirement whose estimate reads a pace:
    {"base": its value PACE_DAYS before as_of, "changes": [[UTC text, value], ...] after that},
    else None)}."""
    out = []
    for achievement, (timeline, earned, now_values, _then) in zip(achievements, _walk(prepared, achievements)):
        histories = [_histories(timeline, r, prepared.as_of.value - PACE_DAYS * _DAY_NS) if paced(r) else None
                     for r in achievement.requirements]
        earned_at = _utc_texts(timeline.ts[np.maximum(earned, 0)]) if timeline.n else earned.astype(object)
        for i, learner in enumerate(prepared.learners):
            out.append({"learner_id": learner, "achievement_id": achievement.id,
                        "earned_at": earned_at[i] if earned[i] >= 0 else None,
                        "current": [float(v[i]) for v in now_values],
                        "history": [None if h is None else h[i] for h in histories]})
    return out


def _walk(prepared: Prepared, achievements):
    """Per achievement: (timeline, each learner's earning row or -1, each requirement's value
    after the learner's last event and PACE_DAYS before as_of)."""
    timeline = Timeline(prepared)
    n_learners = len(prepared.learners)
    last = _last_rows(timeline, n_learners)
    past = _rows_at(timeline, prepared.as_of.value - PACE_DAYS * _DAY_NS, n_learners)
    for achievement in achievements:
        holds = np.ones(timeline.n, dtype=bool)
        now_values, then_values = [], []
        for req in achievement.requirements:
            holds &= timeline.holds(req.metric, req.arg, OPS[req.op], required_value(req))
            now_values.append(timeline.current(req.metric, req.arg, req.op, last))
            then_values.append(timeline.current(req.metric, req.arg, req.op, past))
        yield timeline, _first_rows(timeline, holds, n_learners), now_values, then_values


def _histories(timeline: Timeline, req, since_ns: int) -> list[dict]:
    """Each learner's {"base", "changes"} of one growing requirement's values (see
    `achievement_states`): the value at the last row up to `since_ns`, then every row after it
    whose value differs from the row before (a learner's first row from 0)."""
    series = timeline.current(req.metric, req.arg, req.op, np.arange(timeline.n))
    before = np.r_[0.0, series[:-1]] if timeline.n else series
    before = np.where(timeline.start_row == np.arange(timeline.n), 0.0, before)
    changed = np.flatnonzero((series != before) & (timeline.ts > since_ns))
    stamps = _utc_texts(timeline.ts[changed])  # only the rows kept: converting every row costs more
    n_learners = len(timeline.p.learners)
    base = timeline.current(req.metric, req.arg, req.op, _rows_at(timeline, since_ns, n_learners))
    bounds = np.searchsorted(timeline.learner[changed], np.arange(n_learners + 1))
    return [{"base": float(base[i]),
             "changes": [[stamps[k], float(series[changed[k]])] for k in range(bounds[i], bounds[i + 1])]}
            for i in range(n_learners)]


def _utc_texts(ts_ns: np.ndarray) -> np.ndarray:
    """Event times as the store writes them ('...T12:00:00.000000Z')."""
    return np.char.add(np.datetime_as_string(np.asarray(ts_ns, dtype=np.int64).view("datetime64[ns]"), unit="us"),
                       "Z").astype(object)


def _last_rows(timeline: Timeline, n_learners: int) -> np.ndarray:
    """Each learner's last event row, -1 for a learner without events."""
    rows = np.full(n_learners, -1)
    if timeline.n:
        rows[timeline.learner[timeline.last_rows]] = timeline.last_rows
    return rows


def _rows_at(timeline: Timeline, ts_ns: int, n_learners: int) -> np.ndarray:
    """Each learner's last event row at or before ts_ns, -1 if none."""
    rows = np.full(n_learners, -1)
    mask = timeline.ts <= ts_ns
    if mask.any():
        idx = np.flatnonzero(mask)
        _, last = g.first_and_last_rows(timeline.learner[idx])
        rows[timeline.learner[idx[last]]] = idx[last]
    return rows


def _first_rows(timeline: Timeline, holds: np.ndarray, n_learners: int) -> np.ndarray:
    """Each learner's first row where `holds`, -1 if never."""
    rows = np.full(n_learners, -1)
    idx = np.flatnonzero(holds)
    if len(idx):
        owners, first = np.unique(timeline.learner[idx], return_index=True)
        rows[owners] = idx[first]
    return rows


def _with_current_values(prepared: Prepared, achievements, current: dict) -> dict:
    """Add today's streak and weekly-goal run when a requirement reads them and the caller
    did not pass them (`current_overrides` does, from frames it already has)."""
    used = {r.metric for a in achievements for r in a.requirements}
    days = daily(prepared) if used & {"streak_days", "weekly_goal_weeks"} else None
    if "streak_days" in used and "streak_days" not in current:
        current["streak_days"] = streaks(prepared, days)["streak_days"].to_numpy()
    if "weekly_goal_weeks" in used and "weekly_goal_weeks" not in current:
        current["weekly_goal_weeks"] = weekly_goal_run(prepared, days)
    return current


def current_overrides(analysis) -> dict[str, np.ndarray]:
    """Metrics whose value today is not the value after the last event: the streak (ends after
    a missed day) and the weekly goal run (ends after a complete week that missed the goal)."""
    return {"streak_days": analysis.streaks["streak_days"].to_numpy(),
            "weekly_goal_weeks": weekly_goal_run(analysis.prepared, analysis.daily)}


def weekly_goal_run(prepared: Prepared, days: pd.DataFrame) -> np.ndarray:
    """Per learner: consecutive complete weeks, ending with the last complete one, meeting the
    goal (`dated.weekly_goal_weeks` of each learner's rows of `daily(prepared)`)."""
    out = np.zeros(len(prepared.learners))
    goal = prepared.catalog.weekly_goal_minutes
    if goal <= 0:
        return out
    index = {learner: i for i, learner in enumerate(prepared.learners)}
    for learner, rows in daily_by_learner(days, ["practice_s"]).items():
        out[index[learner]] = dated.weekly_goal_weeks(rows, prepared.today, goal)
    return out


def _date_after(prepared: Prepared, days: float) -> dt.date:
    local = prepared.as_of.tz_convert(prepared.tz)
    return local.date() + dt.timedelta(days=int(days))
