"""What happened inside a period, for many learners at once: practice, sessions, attempts,
scores, tasks completed, per learner and per (learner, module)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from progress_cli.analytics import Analysis
from progress_cli.analytics.rows import by_learner, one_per_learner, rows
from progress_cli.reports.periods import Period, day_number

_ACTIVITY = ["practice_s", "events", "sessions", "attempts", "average_score"]


def period_activity(analysis: Analysis, period: Period) -> dict[str, dict]:
    """{learner: {"practice_s", "events", "sessions", "attempts", "average_score",
    "active_days", "tasks_completed"}} for the learners with events in the period."""
    inside = _events_in(analysis, period)
    totals = _activity(inside, ["learner_id"])
    totals["active_days"] = _active_days(analysis, period).reindex(totals.index, fill_value=0)
    done = _tasks_done(analysis, period, counted_by="total_progress")
    totals["tasks_completed"] = done.groupby("learner_id").size().reindex(totals.index, fill_value=0)
    totals = totals.reset_index()
    return one_per_learner(rows(totals, ["learner_id", *_ACTIVITY, "active_days", "tasks_completed"]))


def module_activity(analysis: Analysis, period: Period) -> dict[str, list[dict]]:
    """{learner: [{"module_id", "practice_s", "events", "sessions", "attempts",
    "average_score", "tasks_completed"}]} for the modules with events in the period."""
    inside = _events_in(analysis, period)
    keys = ["learner_id", "module_id"]
    totals = _activity(inside, keys)
    done = _tasks_done(analysis, period, counted_by="module").groupby(keys).size()
    totals["tasks_completed"] = done.reindex(totals.index, fill_value=0)
    return by_learner(rows(totals.reset_index(), [*keys, *_ACTIVITY, "tasks_completed"]))


def average_scores(analysis: Analysis, period: Period) -> dict[str, float]:
    """{learner: mean score of the period's attempts}, only learners with attempts."""
    inside = _events_in(analysis, period)
    scored = inside[inside["is_attempt"].to_numpy()]
    means = scored.groupby("learner_id", sort=False)["score"].mean()
    return {k: float(v) for k, v in means.items()}


def _events_in(analysis: Analysis, period: Period) -> pd.DataFrame:
    ev = analysis.prepared.events
    day = ev["day_num"].to_numpy()
    return ev[(day >= day_number(period.start)) & (day <= day_number(period.end))]


def _activity(events: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = events.groupby(keys, sort=True)
    return pd.DataFrame({
        "practice_s": grouped["practice_s"].sum(),
        "events": grouped.size(),
        "sessions": grouped["session_key"].nunique(),
        "attempts": grouped["is_attempt"].sum().astype(np.int64),
        "average_score": grouped["score"].mean(),  # NaN outside attempts: the mean of attempts
    })


def _active_days(analysis: Analysis, period: Period) -> pd.Series:
    days = analysis.daily
    day = days["day"].to_numpy().astype("datetime64[D]").astype(np.int64)
    inside = (day >= day_number(period.start)) & (day <= day_number(period.end)) & days["active"].to_numpy()
    return days[inside].groupby("learner_id").size()


def _tasks_done(analysis: Analysis, period: Period, counted_by: str) -> pd.DataFrame:
    """(learner_id, module_id) of each task first completed in the period, among the tasks
    that `counted_by` counts: total_progress (with a catalog, only catalog tasks) or the
    module's completion_rate (catalog tasks of a catalog module, any task of another)."""
    prepared = analysis.prepared
    tasks = analysis.tasks
    day = tasks["completed_day"].to_numpy(dtype=float)
    inside = (day >= day_number(period.start)) & (day <= day_number(period.end))
    listed = tasks["catalog_task"].to_numpy()
    if counted_by == "module":
        inside &= listed | ~prepared.in_catalog[tasks["module_idx"].to_numpy()]
    elif prepared.catalog.modules:
        inside &= listed
    picked = tasks[inside]
    return pd.DataFrame({
        "learner_id": prepared.learners[picked["learner_idx"].to_numpy()],
        "module_id": prepared.modules[picked["module_idx"].to_numpy()],
    })
