"""One report object per learner and period (DESIGN 7), for many learners at once.

Pure: two analyses in (at the report's moment, and just before the period started), plain
JSON-ready dicts out. Every renderer draws from these dicts and computes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from progress_cli.analytics import Analysis
from progress_cli.analytics import forecast as fc
from progress_cli.analytics.insights import LearnerView, completion_forecasts
from progress_cli.analytics.recommend import learner_recommendations
from progress_cli.catalog import Catalog
from progress_cli.reports import figures
from progress_cli.analytics.rows import by_learner, one_per_learner, rows
from progress_cli.reports.charts import chart_data
from progress_cli.reports.goals import next_goals
from progress_cli.reports.periods import Period

TOP_CHANGES = 3  # improvements and challenges listed
MIN_CHANGE = 0.1  # points of current level; smaller moves are noise, not news
LAST_WEEK_DAYS = 7


@dataclass(frozen=True)
class ReportInputs:
    """Everything a batch of reports is computed from."""

    now: Analysis  # as of the report's moment
    before: Analysis  # as of the instant before the period's first day
    period: Period
    moment: dt.datetime
    complete: bool
    tz: dt.tzinfo
    catalog: Catalog
    names: Mapping[str, str | None]
    # Achievements (DESIGN 6), from services.reports.period_awards:
    # {learner_id: {"achievements": [...], "milestones": [...]}}; achievements earned in the
    # period, [{"id", "name", "type", "points", "earned_at"}]; milestones: the upcoming ones at
    # the period's end, [{"id", "name", "progress", "estimated_date"}]. Absent: empty lists.
    awards: Mapping[str, Mapping[str, list]] = field(default_factory=dict)
    # The completion forecasts' calibration (analytics.calibration.Calibrations), as stored.
    calibrations: Mapping = field(default_factory=dict)


def build_reports(inputs: ReportInputs, learner_ids: list[str]) -> list[dict[str, Any]]:
    """The report of each learner in `learner_ids` (all must be in `inputs.now`)."""
    now, before, period, catalog = inputs.now, inputs.before, inputs.period, inputs.catalog
    end_day = inputs.moment.astimezone(inputs.tz).date()
    overall_now = one_per_learner(rows(now.overall, ["learner_id", "total_progress", "certificate_progress",
                                                     "streak_days"]))
    overall_before = one_per_learner(rows(before.overall, ["learner_id", "total_progress"]))
    modules_now = by_learner(rows(now.modules, ["learner_id", "module_id", "in_catalog", "completion_rate",
                                                "average_score", "readiness"]))
    completion_before = {(r["learner_id"], r["module_id"]): r["completion_rate"]
                         for r in rows(before.modules, ["learner_id", "module_id", "completion_rate"])}
    skills_now = by_learner(rows(now.skills, ["learner_id", "skill", "current_level"]))
    levels_before = {(r["learner_id"], r["skill"]): r["current_level"]
                     for r in rows(before.skills, ["learner_id", "skill", "current_level"])}
    activity = figures.period_activity(now, period)
    module_activity = figures.module_activity(now, period)
    previous_scores = figures.average_scores(now, period.previous())
    week = _last_week(period, end_day)
    week_activity = figures.period_activity(now, week) if period.kind == "month" else activity
    charts = chart_data(now, end_day, learner_ids)
    week_minutes = {lid: (week_activity.get(lid, {}).get("practice_s") or 0.0) / 60.0 for lid in learner_ids}
    recommendations = learner_recommendations(now, catalog, learner_ids, week_minutes=week_minutes)
    titles = {m.id: m.title for m in catalog.modules}
    skill_names = {s.id: s.name for s in catalog.skills}

    reports = []
    for lid in learner_ids:
        o = overall_now.get(lid, {})
        act = activity.get(lid, {})
        mods = modules_now.get(lid, [])
        skills = skills_now.get(lid, [])
        changes = _skill_changes(lid, skills, levels_before, skill_names)
        awards = inputs.awards.get(lid, {})
        reports.append({
            "learner": {"id": lid, "name": inputs.names.get(lid)},
            "period": {"kind": period.kind, "label": period.label, "start": period.start.isoformat(),
                       "end": period.end.isoformat(), "days": period.days, "complete": inputs.complete},
            "as_of": inputs.moment.isoformat(),
            "summary": _summary(o, overall_before.get(lid, {}), act, previous_scores.get(lid)),
            "time": _time(act, period, catalog),
            "modules": _modules(mods, module_activity.get(lid, []), completion_before, lid, titles),
            "achievements": list(awards.get("achievements", [])),
            "milestones": list(awards.get("milestones", [])),
            "improvements": [c for c in changes if c["change"] > 0][:TOP_CHANGES],
            "challenges": sorted((c for c in changes if c["change"] < 0),
                                 key=lambda c: (round(c["change"], 9), c["skill"]))[:TOP_CHANGES],
            "recommendations": recommendations[lid],
            "forecast": _completion_forecast(now, lid, inputs.calibrations),
            "next_goals": next_goals(recommendations[lid], weekly_goal_minutes=catalog.weekly_goal_minutes,
                                     week_minutes=week_minutes[lid], module_titles=titles, skill_names=skill_names,
                                     week_label="this week" if period.kind == "week" else "the last 7 days"),
            "labels": {"modules": titles, "skills": skill_names},
            "charts": charts[lid],
        })
    return reports


def _completion_forecast(now: Analysis, learner_id: str, calibrations: Mapping) -> dict[str, Any]:
    """The catalog's completion forecast at the report's moment (DESIGN 5.6), as `status`."""
    if learner_id not in set(now.prepared.learners):
        return fc.no_forecast("no events yet")
    return completion_forecasts(LearnerView(now, learner_id), dict(calibrations), per_module=False)["completion"]


def _summary(now: dict, before: dict, act: dict, previous_score: float | None) -> dict[str, Any]:
    total, start = now.get("total_progress"), before.get("total_progress")
    score = act.get("average_score")
    return {
        "total_progress": total,
        "progress_change": None if total is None or start is None else total - start,
        "certificate_progress": now.get("certificate_progress"),
        "streak_days": now.get("streak_days") or 0,
        "practice_minutes": (act.get("practice_s") or 0.0) / 60.0,
        "active_days": act.get("active_days") or 0,
        "sessions": act.get("sessions") or 0,
        "attempts": act.get("attempts") or 0,
        "average_score": score,
        "average_score_change": None if score is None or previous_score is None else score - previous_score,
        "tasks_completed": act.get("tasks_completed") or 0,
    }


def _time(act: dict, period: Period, catalog: Catalog) -> dict[str, Any]:
    """Practice against the weekly goal; a month's goal is the weekly goal x days / 7."""
    weekly = catalog.weekly_goal_minutes
    goal = weekly if period.kind == "week" else weekly * period.days / 7.0
    minutes = (act.get("practice_s") or 0.0) / 60.0
    return {"minutes": minutes, "goal_minutes": goal, "weekly_goal_minutes": weekly,
            "goal_progress": minutes / goal if goal > 0 else None}


def _modules(modules: list[dict], active: list[dict], before: dict, lid: str, titles: dict) -> list[dict]:
    """The modules with events in the period, in the order of `status` (catalog first)."""
    by_id = {a["module_id"]: a for a in active}
    out = []
    for m in modules:
        a = by_id.get(m["module_id"])
        if a is None:
            continue
        start = before.get((lid, m["module_id"]))
        rate = m["completion_rate"]
        if start is None and m["in_catalog"] and rate is not None:
            start = 0.0  # untouched before the period
        out.append({
            "module_id": m["module_id"],
            "title": titles.get(m["module_id"], m["module_id"]),
            "in_catalog": bool(m["in_catalog"]),
            "completion_rate": rate,
            "completion_change": None if rate is None or start is None else rate - start,
            "tasks_completed": a["tasks_completed"],
            "attempts": a["attempts"],
            "average_score": a["average_score"],
            "minutes": a["practice_s"] / 60.0,
            "readiness": m["readiness"],
        })
    return out


def _skill_changes(lid: str, skills: list[dict], before: dict, names: dict) -> list[dict]:
    """Skills whose current level changed over the period, biggest rise first.

    A skill with no level before the period (first practised in it) has no change to show,
    and a change under MIN_CHANGE points is left out.
    """
    changes = []
    for s in skills:
        old, new = before.get((lid, s["skill"])), s["current_level"]
        if old is None or new is None or round(abs(new - old), 9) < MIN_CHANGE:
            continue
        changes.append({"skill": s["skill"], "name": names.get(s["skill"], s["skill"]),
                        "from": old, "to": new, "change": new - old})
    return sorted(changes, key=lambda c: (-round(c["change"], 9), c["skill"]))


def _last_week(period: Period, end_day: dt.date) -> Period:
    """The 7 days ending on the report's last day (a month's "this week")."""
    return Period("days", "", end_day - dt.timedelta(days=LAST_WEEK_DAYS - 1), end_day)

