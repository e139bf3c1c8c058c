"""Overall progress per learner (DESIGN 5.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from progress_cli.analytics import _groups as g
from progress_cli.analytics import periods, rules
from progress_cli.analytics.prepare import NAT, Prepared, event_ns

OVERALL_COLUMNS = [
    "learner_id", "total_progress", "certificate_progress", "improvement_rate", "strengths",
    "weaknesses", "total_time_s", "attempts", "last_activity",
]


def overall_progress(prepared: Prepared, modules: pd.DataFrame, skills: pd.DataFrame) -> pd.DataFrame:
    """One row per learner (every learner of the input, sorted).

    `modules` is `module_progress(prepared)`, `skills` is `skill_progress(prepared)`.
    Columns: learner_id, total_progress (0..100, NaN with no tasks to count),
    certificate_progress (0..100, NaN when the catalog has no certification),
    improvement_rate (points per week, NaN under 2 weeks with attempts), strengths and
    weaknesses (lists of skill ids, possibly empty), total_time_s, attempts, last_activity
    (UTC, NaT if no events).
    """
    n = len(prepared.learners)
    ev = prepared.events
    lrn = ev["learner_idx"].to_numpy()
    total = total_progress(prepared, modules)
    strengths, weaknesses = strengths_and_weaknesses(prepared, skills)
    last_ns = np.full(n, NAT)
    np.maximum.at(last_ns, lrn, event_ns(ev))
    return g.frame({
        "learner_id": prepared.learners,
        "total_progress": total,
        "certificate_progress": certificate_progress(prepared, total, modules, skills),
        "improvement_rate": weekly_improvement(prepared),
        "strengths": strengths,
        "weaknesses": weaknesses,
        "total_time_s": g.total(lrn, ev["practice_s"].to_numpy(), n),
        "attempts": np.bincount(lrn[ev["is_attempt"].to_numpy()], minlength=n),
        "last_activity": pd.DatetimeIndex(last_ns.view("datetime64[ns]")).tz_localize("UTC"),
    })


def total_progress(prepared: Prepared, modules: pd.DataFrame) -> np.ndarray:
    """Task-weighted mean completion: over catalog modules, or over modules seen without any."""
    rows = modules["in_catalog"].to_numpy() if prepared.catalog.modules else np.ones(len(modules), bool)
    lrn = _learner_idx(prepared, modules)[rows]
    n = len(prepared.learners)
    done = g.total(lrn, modules["completed_tasks"].to_numpy(dtype=float)[rows], n)
    tasks = g.total(lrn, modules["tasks_total"].to_numpy(dtype=float)[rows], n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tasks > 0, done / np.maximum(tasks, 1) * 100.0, np.nan)


def certificate_progress(prepared: Prepared, total: np.ndarray, modules: pd.DataFrame,
                         skills: pd.DataFrame) -> np.ndarray:
    """Mean over the certification's requirements of min(current / required, 1), x 100.

    min_completion counts as a requirement only when above 0 (the catalog cannot tell an
    explicit 0 from an absent key); a requirement of 0 is met; a null current value is 0.
    """
    n = len(prepared.learners)
    cert = prepared.catalog.certification
    if cert is None:
        return np.full(n, np.nan)
    terms = []
    if cert.min_completion > 0:
        terms.append(rules.requirement_share(total, cert.min_completion))
    for module_id, required in cert.module_scores.items():
        terms.append(rules.requirement_share(_lookup(prepared, modules, "module_id", module_id, "average_score"),
                                             required))
    for skill_id, required in cert.skill_mastery.items():
        terms.append(rules.requirement_share(_lookup(prepared, skills, "skill", skill_id, "mastery"), required))
    if not terms:
        return np.full(n, 100.0)  # nothing required: every learner meets it
    # One contiguous row of terms per learner: numpy sums a row pairwise whatever the batch,
    # where a mean down the columns of many learners would add them one by one (another last bit).
    return np.ascontiguousarray(np.asarray(terms, dtype=float).T).mean(axis=1) * 100.0


def strengths_and_weaknesses(prepared: Prepared, skills: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Practised skills ordered by (mastery desc, id asc): the first 3, and the last 3 of
    that order that are not already strengths (kept in that order)."""
    practised = skills[(skills["attempts"].to_numpy() > 0) & skills["mastery"].notna().to_numpy()]
    lrn = _learner_idx(prepared, practised)
    ids = practised["skill"].to_numpy(dtype=object)
    alpha = pd.factorize(ids, sort=True)[0]
    order = g.order_by(lrn, g.dense_rank(-rules.rounded(practised["mastery"].to_numpy())), alpha)
    lrn, ids = lrn[order], ids[order]
    gid, starts, counts = g.segments(lrn)
    pos = np.arange(len(lrn)) - starts[gid]
    strong = pos < rules.TOP_N
    weak = pos >= np.maximum(rules.TOP_N, counts[gid] - rules.TOP_N)
    n = len(prepared.learners)
    return g.lists(lrn[strong], ids[strong], n), g.lists(lrn[weak], ids[weak], n)


def weekly_improvement(prepared: Prepared) -> np.ndarray:
    """Least-squares slope of the weekly mean score against the ISO week, in points per week,
    over each learner's last 8 weeks with attempts (calendar gaps between them count)."""
    ev = prepared.events
    att = ev["is_attempt"].to_numpy()
    lrn = ev["learner_idx"].to_numpy()[att]
    week = periods.week_of(ev["day_num"].to_numpy()[att])
    first = week.min() if len(week) else 0
    n, n_weeks = len(prepared.learners), int(week.max() - first + 1) if len(week) else 1
    gid, keys = g.group_ids(lrn, week - first, sizes=(max(n, 1), n_weeks))
    weekly = g.mean(gid, ev["score"].to_numpy(dtype=float)[att], len(keys))
    owner, week_offset = g.split(keys, n, n_weeks)
    k = g.rank_from_end(*g.segments(owner))
    recent = k < rules.IMPROVEMENT_WEEKS
    return g.slope(owner[recent], week_offset[recent].astype(float), weekly[recent], n)


def _lookup(prepared: Prepared, frame: pd.DataFrame, key: str, value: str, column: str) -> np.ndarray:
    """`column` of the rows whose `key` is `value`, per learner (NaN where absent)."""
    rows = frame[frame[key].to_numpy(dtype=object) == value]
    out = np.full(len(prepared.learners), np.nan)
    out[_learner_idx(prepared, rows)] = rows[column].to_numpy(dtype=float)
    return out


def _learner_idx(prepared: Prepared, frame: pd.DataFrame) -> np.ndarray:
    return pd.Index(prepared.learners).get_indexer(frame["learner_id"].to_numpy(dtype=object))
