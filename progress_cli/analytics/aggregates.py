"""Sessions, daily, weekly and monthly aggregates and streaks (DESIGN 5.4), in the local zone."""

from __future__ import annotations

import numpy as np
import pandas as pd

from progress_cli.analytics import _groups as g
from progress_cli.analytics import periods, rules
from progress_cli.analytics.modules import task_status
from progress_cli.analytics.prepare import NAT, Prepared

DAILY_COLUMNS = [
    "learner_id", "day", "practice_s", "practice_minutes", "events", "attempts", "mean_score",
    "modules_completed", "skills_practised", "active", "streak",
]
WEEKLY_COLUMNS = [
    "learner_id", "week", "week_start", "practice_s", "practice_minutes", "active_days",
    "days_elapsed", "consistency", "attempts", "mean_score", "trend", "improvement",
    "top_skills", "weekly_goal_progress",
]
SESSION_COLUMNS = [
    "learner_id", "session_id", "module_id", "start", "end", "practice_s", "events", "attempts",
    "average_score", "inferred",
]
MONTHLY_COLUMNS = [
    "learner_id", "month", "month_start", "practice_s", "practice_minutes", "active_days",
    "attempts", "mean_score", "modules_completed", "tasks_completed", "total_progress",
    "growth_rate",
]


def session_summary(prepared: Prepared) -> pd.DataFrame:
    """One row per (learner, session), by learner and start time.

    A session is its session_id, or the inferred key of DESIGN 2 (same learner and module, a
    gap of more than 30 minutes starts a new one). module_id is that of its first event; start
    and end are its first and last event times (UTC); practice_s the practice seconds of 5.0;
    average_score the mean attempt score (NaN without an attempt); inferred: no session_id given.
    """
    ev = prepared.events
    if ev.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SESSION_COLUMNS})
    grouped = ev.groupby(["learner_id", "session_key"], sort=False)
    frame = pd.DataFrame({
        "module_id": grouped["module_id"].first(),
        "start": grouped["ts"].min(),
        "end": grouped["ts"].max(),
        "practice_s": grouped["practice_s"].sum(),
        "events": grouped.size(),
        "attempts": grouped["is_attempt"].sum(),
        "average_score": grouped["score"].mean(),
        "inferred": grouped["session_inferred"].first(),
    }).reset_index().rename(columns={"session_key": "session_id"})
    frame = frame.sort_values(["learner_id", "start", "session_id"], kind="stable", ignore_index=True)
    return frame[SESSION_COLUMNS]


def daily(prepared: Prepared) -> pd.DataFrame:
    """One row per (learner, local day) with at least one event, sorted by learner and day.

    Columns: learner_id, day (the local date, naive midnight), practice_s, practice_minutes,
    events, attempts, mean_score (NaN without attempts), modules_completed (distinct modules
    with a module_completed event), skills_practised (distinct skills of the day's events),
    active (counts for a streak: practice_minutes >= catalog.streak_min_minutes, any event
    when that is 0), streak (consecutive active days ending on this day, 0 when not active).
    """
    ev = prepared.events
    lrn, day = ev["learner_idx"].to_numpy(), ev["day_num"].to_numpy()
    first_day = int(day.min()) if len(day) else 0
    sizes = (len(prepared.learners) or 1, int(day.max()) - first_day + 1 if len(day) else 1)
    gid, keys = g.group_ids(lrn, day - first_day, sizes=sizes)
    n = len(keys)
    owner, offset = g.split(keys, *sizes)
    att = ev["is_attempt"].to_numpy()
    practice = g.total(gid, ev["practice_s"].to_numpy(), n)
    completed = ev["type"].to_numpy(dtype=object) == "module_completed"
    se = prepared.skill_events
    se_row = np.searchsorted(keys, g.combine(se["learner_idx"].to_numpy(),
                                             se["day_num"].to_numpy() - first_day, sizes=sizes))
    active = _active(practice / 60.0, prepared.catalog.streak_min_minutes)
    return g.frame({
        "learner_id": prepared.learners[owner],
        "day": periods.as_dates(offset + first_day),
        "practice_s": practice,
        "practice_minutes": practice / 60.0,
        "events": g.count(gid, n),
        "attempts": g.count(gid[att], n),
        "mean_score": g.mean(gid[att], ev["score"].to_numpy(dtype=float)[att], n),
        "modules_completed": _distinct(gid[completed], ev["module_idx"].to_numpy()[completed], n),
        "skills_practised": _distinct(se_row, se["skill_idx"].to_numpy(), n),
        "active": active,
        "streak": _running_streak(owner, offset, active),
    })


def streaks(prepared: Prepared, days: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per learner: streak_days (consecutive active days ending today or yesterday,
    as of `as_of` in the zone; 0 otherwise) and last_active_day (naive date, NaT if none).
    `days` is `daily(prepared)` when the caller already has it."""
    days = daily(prepared) if days is None else days
    active = days[days["active"].to_numpy()]
    lrn = _learner_idx(prepared, active)
    day_num = active["day"].to_numpy().astype("datetime64[D]").astype(np.int64)
    n = len(prepared.learners)
    last_day = np.full(n, NAT, dtype=np.int64)
    streak = np.zeros(n, dtype=np.int64)
    if len(lrn):
        _, last_rows = g.first_and_last_rows(lrn)
        owners = lrn[last_rows]
        last_day[owners] = day_num[last_rows]
        current = day_num[last_rows] >= prepared.today - 1  # ends today or yesterday
        streak[owners] = np.where(current, active["streak"].to_numpy()[last_rows], 0)
    return g.frame({
        "learner_id": prepared.learners,
        "streak_days": streak,
        "last_active_day": last_day.view("datetime64[D]").astype("datetime64[s]"),  # NAT -> NaT
    })


def weekly(prepared: Prepared, days: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per learner and ISO week, from the learner's first week with an event to the
    week of as_of (weeks without activity included), sorted by learner and week.

    Columns: learner_id, week ('YYYY-Www'), week_start (local Monday, naive), practice_s,
    practice_minutes, active_days, days_elapsed (7, or up to as_of's day in its week),
    consistency (active_days / days_elapsed), attempts, mean_score (NaN without attempts),
    trend (slope of the daily mean score, points per day, NaN under 2 scored days),
    improvement (mean_score minus the previous week's, NaN if either is empty), top_skills
    (up to 3 skill ids by practice time, then id), weekly_goal_progress (practice minutes /
    weekly_goal_minutes, a ratio; NaN when the goal is 0).
    """
    days = daily(prepared) if days is None else days
    period = _Periods(prepared, days, periods.week_of, int(periods.week_of(prepared.today)))
    start = periods.week_start(period.index)
    elapsed = np.minimum(prepared.today - start + 1, 7)
    daily_mean = days["mean_score"].to_numpy()
    scored = ~np.isnan(daily_mean)
    trend = g.slope(period.day_row[scored], period.day_num[scored].astype(float),
                    daily_mean[scored], period.n)
    mean_score = period.event_mean(prepared)
    goal = prepared.catalog.weekly_goal_minutes
    minutes = period.practice / 60.0
    with np.errstate(invalid="ignore", divide="ignore"):
        goal_progress = minutes / goal if goal > 0 else np.full(period.n, np.nan)
    return g.frame({
        "learner_id": prepared.learners[period.owner],
        "week": periods.week_labels(period.index),
        "week_start": periods.as_dates(start),
        "practice_s": period.practice,
        "practice_minutes": minutes,
        "active_days": period.active_days,
        "days_elapsed": elapsed,
        "consistency": period.active_days / elapsed,
        "attempts": period.event_count(prepared, attempts_only=True),
        "mean_score": mean_score,
        "trend": trend,
        "improvement": mean_score - period.previous(mean_score),
        "top_skills": _top_skills(prepared, period),
        "weekly_goal_progress": goal_progress,
    })


def monthly(prepared: Prepared, days: pd.DataFrame | None = None,
            tasks: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per learner and calendar month, from the learner's first month with an event
    to the month of as_of, sorted by learner and month.

    Columns: learner_id, month ('YYYY-MM'), month_start (naive date), practice_s,
    practice_minutes, active_days, attempts, mean_score, modules_completed (distinct modules
    with a module_completed event), tasks_completed (tasks first completed that month, among
    those total_progress counts), total_progress (at the end of the month, or at as_of),
    growth_rate (total_progress minus the previous month's; the first month starts from 0
    with a catalog, from null without one).
    `tasks` is `task_status(prepared)` when the caller already has it.
    """
    days = daily(prepared) if days is None else days
    tasks = task_status(prepared) if tasks is None else tasks
    period = _Periods(prepared, days, periods.month_of, int(periods.month_of(prepared.today)))
    ev = prepared.events
    completed = ev["type"].to_numpy(dtype=object) == "module_completed"
    module_rows = period.rows_of(ev["learner_idx"].to_numpy()[completed],
                                 periods.month_of(ev["day_num"].to_numpy()[completed]))
    progress, first_start = _progress_by_period(prepared, tasks, period)
    done_now = progress["done"]
    return g.frame({
        "learner_id": prepared.learners[period.owner],
        "month": periods.month_labels(period.index),
        "month_start": periods.as_dates(periods.month_start(period.index)),
        "practice_s": period.practice,
        "practice_minutes": period.practice / 60.0,
        "active_days": period.active_days,
        "attempts": period.event_count(prepared, attempts_only=True),
        "mean_score": period.event_mean(prepared),
        "modules_completed": _distinct(module_rows, ev["module_idx"].to_numpy()[completed], period.n),
        "tasks_completed": done_now,
        "total_progress": progress["end"],
        "growth_rate": progress["end"] - np.where(period.is_first, first_start,
                                                  period.previous(progress["end"])),
    })


class _Periods:
    """The dense (learner, period) grid of weekly / monthly and row lookups into it."""

    def __init__(self, prepared: Prepared, days: pd.DataFrame, period_of, last_period: int) -> None:
        lrn = _learner_idx(prepared, days)
        self.day_num = days["day"].to_numpy().astype("datetime64[D]").astype(np.int64)
        self.period_of = period_of
        day_period = period_of(self.day_num)
        n_learners = len(prepared.learners)
        first = np.full(n_learners, last_period + 1, dtype=np.int64)
        np.minimum.at(first, lrn, day_period)  # rows absent for learners without events
        length = np.maximum(last_period - first + 1, 0)
        self.owner = np.repeat(np.arange(n_learners), length)
        self.index = first[self.owner] + g.position_within(self.owner)
        self.base = int(first.min()) if len(first) else 0
        self.sizes = (max(n_learners, 1), max(last_period - self.base + 1, 1))
        self.keys = g.combine(self.owner, self.index - self.base, sizes=self.sizes)
        self.n = len(self.keys)
        self.is_first = np.r_[True, self.owner[1:] != self.owner[:-1]] if self.n else np.zeros(0, bool)
        self.day_row = self.rows_of(lrn, day_period)
        self.practice = g.total(self.day_row, days["practice_s"].to_numpy(), self.n)
        self.active_days = g.count(self.day_row[days["active"].to_numpy()], self.n)

    def rows_of(self, learner_idx: np.ndarray, period: np.ndarray) -> np.ndarray:
        """Grid row of each (learner, period) pair; every pair must be on the grid."""
        return np.searchsorted(self.keys, g.combine(learner_idx, period - self.base, sizes=self.sizes))

    def previous(self, values: np.ndarray) -> np.ndarray:
        """Each row's value in the learner's previous period (NaN in the first)."""
        shifted = np.r_[np.nan, values[:-1]] if self.n else values
        return np.where(self.is_first, np.nan, shifted)

    def _event_rows(self, prepared: Prepared, attempts_only: bool) -> tuple[np.ndarray, np.ndarray]:
        ev = prepared.events
        mask = ev["is_attempt"].to_numpy() if attempts_only else np.ones(len(ev), bool)
        rows = self.rows_of(ev["learner_idx"].to_numpy()[mask], self.period_of(ev["day_num"].to_numpy()[mask]))
        return rows, mask

    def event_count(self, prepared: Prepared, attempts_only: bool) -> np.ndarray:
        rows, _ = self._event_rows(prepared, attempts_only)
        return g.count(rows, self.n)

    def event_mean(self, prepared: Prepared) -> np.ndarray:
        """Mean score of the period's attempts (not the mean of daily means)."""
        rows, mask = self._event_rows(prepared, attempts_only=True)
        return g.mean(rows, prepared.events["score"].to_numpy(dtype=float)[mask], self.n)


def _progress_by_period(prepared: Prepared, tasks: pd.DataFrame, period: _Periods) -> tuple[dict, np.ndarray]:
    """Tasks first completed per period, and total_progress at each period's end."""
    with_catalog = bool(prepared.catalog.modules)
    counted = tasks["catalog_task"].to_numpy() if with_catalog else np.ones(len(tasks), bool)
    lrn = tasks["learner_idx"].to_numpy()[counted]
    done_day = tasks["completed_day"].to_numpy()[counted]
    finished = ~np.isnan(done_day)
    done_rows = period.rows_of(lrn[finished], period.period_of(done_day[finished].astype(np.int64)))
    done = g.count(done_rows, period.n)
    done_so_far = g.cumsum_within(done, period.owner)
    with np.errstate(invalid="ignore", divide="ignore"):
        if with_catalog:
            total = len(prepared.catalog_tasks)
            end = done_so_far / total * 100.0 if total else np.full(period.n, np.nan)
            first_start = np.zeros(period.n)
        else:
            seen_rows = period.rows_of(lrn, period.period_of(tasks["seen_day"].to_numpy()[counted]))
            seen_so_far = g.cumsum_within(g.count(seen_rows, period.n), period.owner)
            end = np.where(seen_so_far > 0, done_so_far / np.maximum(seen_so_far, 1) * 100.0, np.nan)
            first_start = np.full(period.n, np.nan)
    return {"done": done, "end": end}, first_start


def _top_skills(prepared: Prepared, period: _Periods) -> np.ndarray:
    """Up to TOP_N skills per grid row by practice time (then id); lists in row order."""
    se = prepared.skill_events
    rows = period.rows_of(se["learner_idx"].to_numpy(), period.period_of(se["day_num"].to_numpy()))
    n_skills = max(len(prepared.skills), 1)
    gid, keys = g.group_ids(rows, se["skill_idx"].to_numpy(), sizes=(max(period.n, 1), n_skills))
    practice = g.total(gid, se["practice_s"].to_numpy(), len(keys))
    row, skill = g.split(keys, max(period.n, 1), n_skills)
    alpha = np.argsort(np.argsort(prepared.skills, kind="stable")) if len(prepared.skills) else skill
    order = g.order_by(row, g.dense_rank(-rules.rounded(practice)), alpha[skill])
    row, skill = row[order], skill[order]
    top = g.position_within(row) < rules.TOP_N
    return g.lists(row[top], prepared.skills[skill[top]] if len(skill) else skill, period.n)


def _running_streak(owner: np.ndarray, day: np.ndarray, active: np.ndarray) -> np.ndarray:
    """For day rows sorted by (learner, day): consecutive active days ending on each row."""
    rows = np.flatnonzero(active)
    o, d = owner[rows], day[rows]
    new_run = np.ones(len(rows), dtype=bool)
    new_run[1:] = (o[1:] != o[:-1]) | (d[1:] != d[:-1] + 1)  # local dates: DST cannot skip one
    streak = np.zeros(len(owner), dtype=np.int64)
    streak[rows] = g.position_within(np.cumsum(new_run)) + 1
    return streak


def _active(minutes: np.ndarray, minimum: float) -> np.ndarray:
    if minimum <= 0:
        return np.ones(len(minutes), dtype=bool)  # any event makes the day active
    return rules.rounded(minutes) >= minimum


def _distinct(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Number of distinct values per row index."""
    size = int(values.max()) + 1 if len(values) else 1
    pairs = g.unique(g.combine(rows, values, sizes=(max(n, 1), size)))
    return np.bincount(pairs // size, minlength=n)


def _learner_idx(prepared: Prepared, frame: pd.DataFrame) -> np.ndarray:
    return pd.Index(prepared.learners).get_indexer(frame["learner_id"].to_numpy(dtype=object))
