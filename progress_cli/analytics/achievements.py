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
from progress_cli.analytics import rules
from progress_cli.analytics.aggregates import streaks, weekly
from progress_cli.analytics.metrics import CUMULATIVE, Timeline, readiness_ordinal
from progress_cli.analytics.prepare import Prepared
from progress_cli.catalog import Achievement, Requirement

PACE_DAYS = 14
_OPS = {
    ">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less, "==": np.equal,
}
ACHIEVEMENT_COLUMNS = [
    "learner_id", "achievement_id", "earned_at", "progress", "current", "required", "estimated_date",
]


def required_value(req: Requirement) -> float:
    return float(readiness_ordinal(req.value)) if req.metric == "module_readiness" else float(req.value)


def evaluate(prepared: Prepared, achievements: tuple[Achievement, ...] | list[Achievement],
             current: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """One row per (learner, achievement): earned_at (UTC, NaT while locked), progress (0..1),
    current and required (lists, one value per requirement), estimated_date (local date or None).

    `current` overrides a metric's value today, per learner (e.g. `streak_days` from `streaks`,
    which drops to 0 after a missed day even without a new event).
    """
    timeline = Timeline(prepared)
    current = _with_current_values(prepared, achievements, dict(current or {}))
    n_learners = len(prepared.learners)
    last = _last_rows(timeline, n_learners)
    past = _rows_at(timeline, prepared.as_of.value - PACE_DAYS * 86_400 * 10**9, n_learners)
    out: dict[str, list] = {c: [] for c in ACHIEVEMENT_COLUMNS}
    for achievement in achievements:
        holds = np.ones(timeline.n, dtype=bool)
        ratios, days_needed, now_values = [], [], []
        for req in achievement.requirements:
            required = required_value(req)
            holds &= timeline.holds(req.metric, req.arg, _OPS[req.op], required)
            now = timeline.current(req.metric, req.arg, req.op, last)
            if req.metric in current:
                now = np.asarray(current[req.metric], dtype=float)
            now_values.append(now)
            ratios.append(_ratio(now, req.op, required))
            then = timeline.current(req.metric, req.arg, req.op, past)
            days_needed.append(_days_needed(req, now, then, required))
        earned = _first_rows(timeline, holds, n_learners)
        progress = np.minimum.reduce(ratios) if ratios else np.ones(n_learners)
        done = earned >= 0
        progress = np.where(done, 1.0, progress)
        eta = np.maximum.reduce(days_needed) if days_needed else np.full(n_learners, np.nan)
        for i, learner in enumerate(prepared.learners):
            out["learner_id"].append(learner)
            out["achievement_id"].append(achievement.id)
            out["earned_at"].append(pd.Timestamp(timeline.ts[earned[i]], tz="UTC") if done[i] else pd.NaT)
            out["progress"].append(float(progress[i]))
            out["current"].append([float(v[i]) for v in now_values])
            out["required"].append([required_value(r) for r in achievement.requirements])
            out["estimated_date"].append(None if done[i] or math.isnan(eta[i]) else _date_after(prepared, eta[i]))
    return pd.DataFrame(out, columns=ACHIEVEMENT_COLUMNS)


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


def _ratio(now: np.ndarray, op: str, required: float) -> np.ndarray:
    if op in (">=", ">"):
        if required <= 0:
            return np.ones(len(now))
        return np.clip(now / required, 0.0, 1.0)
    return _OPS[op](rules.rounded(now), required).astype(float)


def _days_needed(req: Requirement, now, then, required) -> np.ndarray:
    """Days until the requirement holds at the last 14 days' pace; 0 when it holds, NaN when unknown."""
    met = _OPS[req.op](rules.rounded(now), required)
    if req.metric not in CUMULATIVE or req.op not in (">=", ">"):
        return np.where(met, 0.0, np.nan)
    pace = (now - then) / PACE_DAYS
    with np.errstate(invalid="ignore", divide="ignore"):
        days = np.where(pace > 0, np.ceil(rules.rounded((required - now) / pace)), np.nan)
    return np.where(met, 0.0, days)


def _with_current_values(prepared: Prepared, achievements, current: dict) -> dict:
    """Add today's streak and weekly-goal run when a requirement reads them and the caller
    did not pass them (`current_overrides` does, from frames it already has)."""
    used = {r.metric for a in achievements for r in a.requirements}
    if "streak_days" in used and "streak_days" not in current:
        current["streak_days"] = streaks(prepared)["streak_days"].to_numpy()
    if "weekly_goal_weeks" in used and "weekly_goal_weeks" not in current:
        current["weekly_goal_weeks"] = weekly_goal_run(prepared, weekly(prepared))
    return current


def current_overrides(analysis) -> dict[str, np.ndarray]:
    """Metrics whose value today is not the value after the last event: the streak (ends after
    a missed day) and the weekly goal run (ends after a complete week that missed the goal)."""
    return {"streak_days": analysis.streaks["streak_days"].to_numpy(),
            "weekly_goal_weeks": weekly_goal_run(analysis.prepared, analysis.weekly)}


def weekly_goal_run(prepared: Prepared, weekly: pd.DataFrame) -> np.ndarray:
    """Per learner: consecutive complete weeks, ending with the last complete one, meeting the goal."""
    out = np.zeros(len(prepared.learners))
    if prepared.catalog.weekly_goal_minutes <= 0 or weekly.empty:
        return out
    met = rules.rounded(weekly["weekly_goal_progress"].to_numpy(dtype=float)) >= 1.0
    complete = weekly["days_elapsed"].to_numpy() >= 7
    index = {learner: i for i, learner in enumerate(prepared.learners)}
    owners = weekly["learner_id"].to_numpy(dtype=object)
    # Weekly rows are dense and sorted per learner; walk each learner's complete weeks backwards.
    for learner, rows in pd.Series(np.arange(len(weekly))).groupby(owners):
        run = 0
        for row in reversed(rows.to_numpy()):
            if not complete[row]:
                continue
            if not met[row]:
                break
            run += 1
        out[index[learner]] = run
    return out


def _date_after(prepared: Prepared, days: float) -> dt.date:
    local = prepared.as_of.tz_convert(prepared.tz)
    return local.date() + dt.timedelta(days=int(days))
