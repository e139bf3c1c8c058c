"""The data of the four charts of DESIGN section 7, computed once for many learners.

Every renderer (terminal, Markdown, PDF, JSON) draws from these plain lists; none computes.

- progress: daily total_progress over the last 30 days, with the target line running from 0
  at the learner's first activity to 100 at the catalog's target date (the latest
  `target_date` of its modules; no target without one);
- skills: the current level of each skill;
- heatmap: practice minutes per local day over the last 90 days, in five levels;
- curve: the score of every attempt, in attempt order.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from progress_cli.analytics import Analysis
from progress_cli.catalog import Catalog
from progress_cli.analytics.rows import by_learner, column
from progress_cli.reports.palette import HEATMAP_DAYS, PROGRESS_DAYS, heat_level
from progress_cli.reports.periods import day_number, from_day_number


def target_date(catalog: Catalog) -> dt.date | None:
    """The catalog's target date: the latest module target_date, or None."""
    dates = [m.target_date for m in catalog.modules if m.target_date is not None]
    return max(dates) if dates else None


def chart_data(analysis: Analysis, end_day: dt.date, learner_ids: list[str] | None = None) -> dict[str, dict]:
    """{learner_id: {"progress", "skills", "heatmap", "curve"}} for the learners of `analysis`
    (or only `learner_ids`), windows ending on the local day `end_day`."""
    wanted = list(analysis.prepared.learners) if learner_ids is None else learner_ids
    progress = progress_lines(analysis, end_day)
    heat = heatmaps(analysis, end_day)
    skills = skill_levels(analysis)
    curve = learning_curves(analysis)
    empty = None
    out = {}
    for lid in wanted:
        if lid not in progress:  # no live event at all: empty charts of the same shape
            empty = empty or _empty_charts(end_day)
            out[lid] = empty
            continue
        out[lid] = {"progress": progress[lid], "skills": skills.get(lid, []), "heatmap": heat[lid],
                    "curve": curve.get(lid, [])}
    return out


def _empty_charts(end_day: dt.date) -> dict:
    first = day_number(end_day)
    progress = [{"date": from_day_number(first - PROGRESS_DAYS + 1 + i).isoformat(), "progress": None,
                 "target": None} for i in range(PROGRESS_DAYS)]
    days = [{"date": from_day_number(first - HEATMAP_DAYS + 1 + i).isoformat(), "minutes": 0.0, "level": 0}
            for i in range(HEATMAP_DAYS)]
    return {"progress": {"target_date": None, "first_activity": None, "days": progress}, "skills": [],
            "heatmap": {"start": days[0]["date"], "end": days[-1]["date"], "days": days}, "curve": []}


def progress_lines(analysis: Analysis, end_day: dt.date, days: int = PROGRESS_DAYS) -> dict[str, dict]:
    """{learner: {"target_date", "first_activity", "days": [{"date", "progress", "target"}]}}.

    progress is total_progress at the end of each day (what `status` would have said that
    day); target is null before the first activity and without a target date.
    """
    prepared = analysis.prepared
    n = len(prepared.learners)
    first = day_number(end_day) - days + 1
    tasks = analysis.tasks
    with_catalog = bool(prepared.catalog.modules)
    counted = tasks["catalog_task"].to_numpy() if with_catalog else np.ones(len(tasks), bool)
    lrn = tasks["learner_idx"].to_numpy()[counted]
    done = _running_count(lrn, tasks["completed_day"].to_numpy(dtype=float)[counted], n, first, days)
    with np.errstate(invalid="ignore", divide="ignore"):
        if with_catalog:
            total = len(prepared.catalog_tasks)
            values = done / total * 100.0 if total else np.full((n, days), np.nan)
        else:
            seen = _running_count(lrn, tasks["seen_day"].to_numpy(dtype=float)[counted], n, first, days)
            values = np.where(seen > 0, done / np.maximum(seen, 1) * 100.0, np.nan)
    target_at = target_date(prepared.catalog)
    starts = _first_days(analysis)
    dates = [from_day_number(first + i).isoformat() for i in range(days)]
    out = {}
    for i, lid in enumerate(prepared.learners):
        start = starts[i]
        targets = _target_line(start, target_at, first, days)
        line = column_values(values[i])
        out[lid] = {
            "target_date": target_at.isoformat() if target_at else None,
            "first_activity": None if start is None else from_day_number(start).isoformat(),
            "days": [{"date": d, "progress": p, "target": t} for d, p, t in zip(dates, line, targets)],
        }
    return out


def heatmaps(analysis: Analysis, end_day: dt.date, days: int = HEATMAP_DAYS) -> dict[str, dict]:
    """{learner: {"start", "end", "days": [{"date", "minutes", "level"}]}}, every day of the window."""
    prepared = analysis.prepared
    n = len(prepared.learners)
    first = day_number(end_day) - days + 1
    daily = analysis.daily
    day = daily["day"].to_numpy().astype("datetime64[D]").astype(np.int64) - first
    inside = (day >= 0) & (day < days)
    lrn = np.searchsorted(prepared.learners, daily["learner_id"].to_numpy(dtype=object)[inside])
    grid = np.zeros((n, days))
    grid[lrn, day[inside]] = daily["practice_minutes"].to_numpy(dtype=float)[inside]
    dates = [from_day_number(first + i).isoformat() for i in range(days)]
    out = {}
    for i, lid in enumerate(prepared.learners):
        minutes = grid[i].tolist()
        out[lid] = {"start": dates[0], "end": dates[-1],
                    "days": [{"date": d, "minutes": m, "level": heat_level(m)} for d, m in zip(dates, minutes)]}
    return out


def skill_levels(analysis: Analysis) -> dict[str, list[dict]]:
    """{learner: [{"skill", "name", "current_level", "level", "attempts"}]}: catalog skills in
    catalog order, then other practised skills."""
    skills = analysis.skills
    names = {s.id: s.name for s in analysis.prepared.catalog.skills}
    ids = column(skills["skill"])
    rows = [{"learner_id": lid, "skill": sid, "name": names.get(sid, sid), "current_level": level,
             "level": band, "attempts": attempts}
            for lid, sid, level, band, attempts in zip(column(skills["learner_id"]), ids,
                                                       column(skills["current_level"]),
                                                       column(skills["level"]), column(skills["attempts"]))]
    return by_learner(rows)


def learning_curves(analysis: Analysis) -> dict[str, list[dict]]:
    """{learner: [{"attempt", "score"}]}: every scored attempt in attempt order, numbered from 1."""
    ev = analysis.prepared.events
    attempts = ev[ev["is_attempt"].to_numpy()]
    learners = attempts["learner_id"].to_numpy(dtype=object)
    scores = attempts["score"].to_numpy(dtype=float).tolist()
    out: dict[str, list[dict]] = {}
    for lid, score in zip(learners, scores):
        points = out.setdefault(lid, [])
        points.append({"attempt": len(points) + 1, "score": score})
    return out


def column_values(values: np.ndarray) -> list:
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out.tolist()


def _running_count(lrn: np.ndarray, day: np.ndarray, n: int, first: int, days: int) -> np.ndarray:
    """(n, days) counts of values on or before each day of the window (NaN values never count)."""
    keep = ~np.isnan(day)
    offset = np.clip(day[keep].astype(np.int64) - first, 0, days)  # before the window: day 0
    counts = np.zeros((n, days + 1))
    np.add.at(counts, (lrn[keep], offset), 1)  # offset == days: after the window, dropped
    return np.cumsum(counts, axis=1)[:, :days]


def _first_days(analysis: Analysis) -> list[int | None]:
    """Local day number of each learner's first event (None without events)."""
    ev = analysis.prepared.events
    n = len(analysis.prepared.learners)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, ev["learner_idx"].to_numpy(), ev["day_num"].to_numpy())
    return [None if v == np.iinfo(np.int64).max else int(v) for v in first]


def _target_line(start: int | None, target: dt.date | None, first: int, days: int) -> list:
    if start is None or target is None:
        return [None] * days
    end = day_number(target)
    out = []
    for d in range(first, first + days):
        if d < start:
            out.append(None)
        elif end <= start:
            out.append(100.0)
        else:
            out.append(min(max((d - start) / (end - start) * 100.0, 0.0), 100.0))
    return out
