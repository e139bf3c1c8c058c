"""Module progress (DESIGN 5.2) and the task completions it counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from progress_cli.analytics import _groups as g
from progress_cli.analytics import rules
from progress_cli.analytics.prepare import NAT, Prepared, event_ns

MODULE_COLUMNS = [
    "learner_id", "module_id", "in_catalog", "tasks_total", "completed_tasks", "completion_rate",
    "average_score", "attempts", "session_count", "total_time_s", "last_activity", "efficiency",
    "readiness", "readiness_basis", "trend_slope", "trend_direction",
]


def task_status(prepared: Prepared) -> pd.DataFrame:
    """One row per (learner, module, task) that an event names.

    A task is completed by a `task_completed` event or an attempt on it scoring >= the
    module's pass mark (module_completed events complete nothing).
    Columns: learner_idx, module_idx, task_idx, task_id, seen_day (local day of its first event),
    completed_day (local day of its first completion, NaN if never), catalog_task (the
    catalog lists it under that module).
    """
    ev = prepared.events
    task = ev["task_idx"].to_numpy()
    rows = np.flatnonzero(task >= 0)
    task = task[rows]
    lrn = ev["learner_idx"].to_numpy()[rows]
    mod = ev["module_idx"].to_numpy()[rows]
    day = ev["day_num"].to_numpy()[rows]
    score = ev["score"].to_numpy()[rows]
    completing = (ev["type"].to_numpy(dtype=object)[rows] == "task_completed") | (
        rules.rounded(score) >= prepared.pass_marks[mod])

    sizes = (len(prepared.learners) or 1, len(prepared.modules) or 1, len(prepared.tasks) or 1)
    gid, _ = g.group_ids(lrn, mod, task, sizes=sizes)
    n = int(gid.max()) + 1 if len(gid) else 0
    first, _ = g.first_and_last_rows(gid)  # rows are in time order, so first = earliest
    completed_day = np.full(n, np.nan)
    done_groups, done_first = np.unique(gid[completing], return_index=True)
    completed_day[done_groups] = day[completing][done_first]

    # Catalog tasks come first in the task codes; each belongs to exactly one module.
    task, mod = task[first], mod[first]
    listed = task < len(prepared.task_module)
    listed[listed] = prepared.task_module[task[listed]] == mod[listed]
    return g.frame({
        "learner_idx": lrn[first],
        "module_idx": mod,
        "task_idx": task,
        "task_id": prepared.tasks[task],
        "seen_day": day[first],
        "completed_day": completed_day,
        "catalog_task": listed,
    })


def module_progress(prepared: Prepared, tasks: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (learner, module): every catalog module for every learner, plus the
    modules their events touched; sorted by learner, then catalog order, then module id.

    Columns: learner_id, module_id, in_catalog, tasks_total (catalog tasks of the module, or
    tasks seen when it is not in the catalog), completed_tasks (of those), completion_rate
    (0..100, NaN when tasks_total is 0), average_score (NaN without attempts), attempts,
    session_count, total_time_s, last_activity (UTC, NaT if never), efficiency (completed
    tasks per hour of practice, NaN without practice time), readiness (BEGINNER..ADVANCED),
    readiness_basis (number of scores used, 0..5), trend_slope (points per attempt over the
    last 10, NaN under 2 attempts), trend_direction (steady/improving/declining or None).
    `tasks` is `task_status(prepared)` when the caller already has it.
    """
    tasks = task_status(prepared) if tasks is None else tasks
    ev = prepared.events
    sizes = (len(prepared.learners) or 1, len(prepared.modules) or 1)
    event_keys = g.combine(ev["learner_idx"].to_numpy(), ev["module_idx"].to_numpy(), sizes=sizes)
    keys = g.unique(np.r_[_catalog_grid(prepared, sizes), event_keys])
    learner, module = g.split(keys, *sizes)
    out = {
        "learner_id": prepared.learners[learner],
        "module_id": prepared.modules[module],
        "in_catalog": prepared.in_catalog[module],
    }
    columns = {**_completion(prepared, tasks, keys, module, sizes),
               **_activity(ev, event_keys, keys),
               **_scores(ev, event_keys, keys)}
    hours = columns["total_time_s"] / 3600.0
    with np.errstate(invalid="ignore", divide="ignore"):
        columns["efficiency"] = np.where(hours > 0, columns["completed_tasks"] / hours, np.nan)
    return g.frame({**out, **{name: columns[name] for name in MODULE_COLUMNS[3:]}})


def _catalog_grid(prepared: Prepared, sizes: tuple[int, int]) -> np.ndarray:
    """Every catalog module for every learner, so untouched modules still show."""
    n_cat = len(prepared.catalog.modules)
    learners = np.repeat(np.arange(len(prepared.learners)), n_cat)
    modules = np.tile(np.arange(n_cat), len(prepared.learners))
    return g.combine(learners, modules, sizes=sizes)


def _completion(prepared: Prepared, tasks: pd.DataFrame, keys: np.ndarray, module: np.ndarray,
                sizes: tuple[int, int]) -> dict:
    task_keys = g.combine(tasks["learner_idx"].to_numpy(), tasks["module_idx"].to_numpy(), sizes=sizes)
    at = np.searchsorted(keys, task_keys)
    done = ~np.isnan(tasks["completed_day"].to_numpy())
    in_cat = tasks["catalog_task"].to_numpy()
    seen = np.bincount(at, minlength=len(keys))
    seen_done = np.bincount(at, weights=done, minlength=len(keys))
    catalog_done = np.bincount(at, weights=done & in_cat, minlength=len(keys))
    per_module = np.bincount(prepared.catalog_tasks["module_idx"].to_numpy(),
                             minlength=len(prepared.modules))
    catalog = prepared.in_catalog[module]
    total = np.where(catalog, per_module[module], seen).astype(np.int64)
    completed = np.where(catalog, catalog_done, seen_done).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(total > 0, completed / np.maximum(total, 1) * 100.0, np.nan)
    return {"tasks_total": total, "completed_tasks": completed, "completion_rate": rate}


def _activity(ev: pd.DataFrame, event_keys: np.ndarray, keys: np.ndarray) -> dict:
    at = np.searchsorted(keys, event_keys)
    n = len(keys)
    session = ev["session_idx"].to_numpy()
    n_sessions = int(session.max()) + 1 if len(session) else 1
    distinct = g.unique(g.combine(at, session, sizes=(max(n, 1), n_sessions)))
    sessions = np.bincount(distinct // n_sessions, minlength=n)
    last_ns = np.full(n, NAT)  # the int64 minimum is NaT, so untouched modules stay null
    np.maximum.at(last_ns, at, event_ns(ev))
    last = pd.DatetimeIndex(last_ns.view("datetime64[ns]")).tz_localize("UTC")
    return {
        "session_count": sessions,
        "total_time_s": g.total(at, ev["practice_s"].to_numpy(), n),
        "last_activity": last,
    }


def _scores(ev: pd.DataFrame, event_keys: np.ndarray, keys: np.ndarray) -> dict:
    att = ev["is_attempt"].to_numpy()
    pair = np.searchsorted(keys, event_keys[att])
    order = np.argsort(pair, kind="stable")  # stable: attempt order kept inside a module
    pair, scores = pair[order], ev["score"].to_numpy(dtype=float)[att][order]
    n = len(keys)
    counts = np.bincount(pair, minlength=n)
    starts = np.cumsum(counts) - counts
    k = g.rank_from_end(pair, starts, counts)
    recent = k < rules.READINESS_WINDOW
    window = k < rules.TREND_WINDOW
    x = (np.minimum(counts, rules.TREND_WINDOW)[pair] - 1 - k)[window].astype(float)
    slope = g.slope(pair[window], x, scores[window], n)
    return {
        "average_score": g.mean(pair, scores, n),
        "attempts": counts,
        "readiness": rules.readiness(g.mean(pair[recent], scores[recent], n),
                                     g.pstd(pair[recent], scores[recent], n)),
        "readiness_basis": np.minimum(counts, rules.READINESS_WINDOW),
        "trend_slope": slope,
        "trend_direction": rules.trend_direction(slope),
    }
