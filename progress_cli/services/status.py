"""`progress status LEARNER`: one learner's dashboard in the shape of DESIGN section 8.

The answer is assembled from the learner's derived rows (`learner_rows`): those recompute
stored when they answer for the as-of moment, which needs no pandas (DESIGN 9), else the same
rows from a full analysis of the events. What depends on the moment rather than on the events
(the streak today, this week's minutes, recent achievements and improvements, the risk, the
completion forecast) is computed here, from those rows and the learner's own events, by the
functions the full computation uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from progress_cli.services.achievements import badge_view, upcoming_milestones
from progress_cli.services.learner_data import LearnerData, learner_rows, load_learner
from progress_cli.services.learner_rows import Rows
from progress_cli.store.models import iso_time

RECENT_SESSIONS = 5
RECENT_DAYS = 7


@dataclass(frozen=True)
class Status:
    payload: dict[str, Any]  # what --json prints (DESIGN 8)
    completion: dict[str, Any]  # the completion forecast behind predicted_completion_date, with its interval


def learner_status(db: str, learner_id: str, *, tz: ZoneInfo, as_of: str | None = None) -> Status:
    """Everything `status` shows, as of `as_of`."""
    data = load_learner(db, learner_id, tz=tz, as_of=as_of, with_calibrations=True, with_peers=True, from_store=True)
    return status_from(data, learner_rows(data))


def status_from(data: LearnerData, rows: Rows) -> Status:
    """The dashboard from the learner's rows (stored or computed) and events."""
    # numpy and the pure analytics on use: `leaderboard` imports services.achievements, not this
    from progress_cli.analytics import dated
    from progress_cli.analytics.recommend import recommendations
    from progress_cli.analytics.risk import learner_risk

    catalog, moment, events = data.catalog, data.as_of, data.events
    today = dated.day_number(moment.astimezone(data.tz).date())
    overall = rows["progress"] or {}
    skills = [_skill(s) for s in sorted(rows["skills"], key=lambda s: events.skill_key(s["skill"]))]
    modules = sorted(rows["modules"], key=lambda m: events.module_key(m["module_id"]))
    module_skills = events.module_skills()
    streak_days, last_active = dated.current_streak(rows["days"], today)
    week_minutes = dated.week_minutes(rows["days"], today)
    goal = catalog.weekly_goal_minutes
    view = badge_view(data, rows, streak_days, today)
    earned = [{k: a[k] for k in ("id", "name", "type", "points", "earned_at")} for a in view["earned"]]
    extras = _extras(data, rows, modules, today)
    week_ago = moment - dt.timedelta(days=RECENT_DAYS)
    risks = _risks(data, rows, modules, today)
    payload = {
        "learner": {"id": data.learner_id, "name": data.name},
        "as_of": moment.isoformat(),
        "overall": {
            "total_progress": overall.get("total_progress"),
            "certificate_progress": overall.get("certificate_progress"),
            "improvement_rate": overall.get("improvement_rate"),
            "strengths": overall.get("strengths") or [],
            "weaknesses": overall.get("weaknesses") or [],
            "predicted_completion_date": extras["completion"]["estimate"],
            "streak_days": streak_days,
            "total_time_s": overall.get("total_time_s") or 0.0,
        },
        "modules": [_module(m, module_skills) for m in modules],
        "skills": skills,
        "summary": {
            "weekly_goal_progress": ((week_minutes / goal if goal > 0 else None) if rows["days"]
                                     else (0.0 if goal else None)),
            "week_minutes": week_minutes,
            "weekly_goal_minutes": goal,
        },
        "recent_activity": {
            "sessions": _recent_sessions(rows["sessions"]),
            "achievements": [a for a in earned if dt.datetime.fromisoformat(a["earned_at"]) > week_ago],
            "improvements": _improvements(data, week_ago, skills),
        },
        "achievements": earned,
        "upcoming_milestones": upcoming_milestones(view, skills),
        "recommendations": recommendations(
            catalog=catalog,
            modules=[{"module_id": m["module_id"], "average_score": m["average_score"],
                      "trend": {"slope": m["trend_slope"], "direction": m["trend_direction"]}} for m in modules],
            skills=[{"skill": s["skill"], "mastery": s["mastery"]} for s in skills],
            weaknesses=overall.get("weaknesses") or [], streak_days=streak_days, last_active_day=last_active,
            week_minutes=week_minutes, plateaus=extras["plateaus"], peak_hours=extras["peak_hours"]),
        "risk": learner_risk(risks) | {"modules": risks},
    }
    return Status(payload, extras["completion"])


def _extras(data: LearnerData, rows: Rows, modules: list[dict], today: int) -> dict[str, Any]:
    """What `status` takes from the forecasts and patterns: the completion forecast (its
    estimate is predicted_completion_date), the skills on a plateau now, and the peak hours."""
    from progress_cli.analytics import completion, dated, patterns
    from progress_cli.analytics import forecast as fc

    events = data.events
    if not events.has_events:
        return {"completion": fc.no_forecast("no events yet"), "plateaus": [], "peak_hours": []}
    window = fc.recent_window(dated.active_days(rows["days"], today), today)
    as_of = data.as_of.astimezone(dt.timezone.utc).isoformat()
    inputs = completion.CompletionInputs(
        modules=modules,
        tasks=[completion.TaskFacts(t.module_id, t.completed_day, t.catalog_task or not data.catalog.modules,
                                    (t.module_id, t.task_id) in events.attempted_tasks) for t in events.tasks.values()],
        module_scores=events.module_scores(), pass_marks={m["module_id"]: events.pass_mark(m["module_id"])
                                                          for m in modules},
        started=events.started_modules, retries=events.retried_after_failure(), with_catalog=bool(data.catalog.modules))
    forecasts = completion.completion_forecasts(inputs, window, lambda *parts: fc.seed_for(data.learner_id, as_of, *parts),
                                                data.calibrations or {}, per_module=False)
    series = {skill: scores for skill, (scores, _days) in events.skill_series().items()}
    return {"completion": forecasts["completion"], "plateaus": patterns.current_plateaus(series),
            "peak_hours": (rows["progress"] or {}).get("peak_hours") or []}


def _risks(data: LearnerData, rows: Rows, modules: list[dict], today: int) -> list[dict]:
    """The risk of DESIGN 5.7 of each started, unfinished module, as of the moment."""
    from progress_cli.analytics import dated
    from progress_cli.analytics.risk import PRACTICE_WEEKS, learner_inputs, module_risk, recent_score

    events = data.events
    last_days: dict[str, int] = {}
    touched: dict[str, set] = {}
    for e in events.events:
        last_days[e.module_id] = max(last_days.get(e.module_id, e.day), e.day)
    for module_id, task_id in events.tasks:
        touched.setdefault(module_id, set()).add(task_id)
    scores = events.module_scores()
    known = ((rows["progress"] or {}).get("total_time_s") or 0) > 0
    inputs = learner_inputs(
        data.learner_id, modules, catalog=data.catalog, peers=data.peers or {}, today=_date(today),
        last_days={m: _date(d) for m, d in last_days.items()},
        recent_scores={m: recent_score(s) for m, s in scores.items()}, touched=touched,
        practice_minutes=dated.recent_practice_minutes(rows["days"], today, PRACTICE_WEEKS) if known else None)
    return [module_risk(x) for x in inputs]


def _date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=day)


def _skill(row: dict) -> dict:
    return {k: row.get(k) for k in ("skill", "current_level", "improvement_rate", "consistency", "mastery", "level")} | {
        "attempts": row.get("attempts", 0), "next_milestone": row.get("next_milestone")}


def _module(row: dict, module_skills: list[dict]) -> dict:
    from progress_cli.analytics.skills import next_milestone  # numpy: see status_from

    keys = ("module_id", "completion_rate", "average_score", "attempts", "session_count", "total_time_s")
    return {k: row.get(k) for k in keys} | {
        "last_activity": iso_time(row.get("last_activity")),
        "efficiency": row.get("efficiency"),
        "readiness": row.get("readiness"),
        "readiness_basis": row.get("readiness_basis"),
        "trend": {"slope": row.get("trend_slope"), "direction": row.get("trend_direction")},
        "in_catalog": bool(row.get("in_catalog")),
        "completed_tasks": row.get("completed_tasks"),
        "tasks_total": row.get("tasks_total"),
        "skills": [_skill(s | {"next_milestone": next_milestone(s["next_level"], s["next_threshold"], s["attempts_needed"])})
                   for s in module_skills if s["module_id"] == row.get("module_id")],
    }


def _recent_sessions(sessions: list[dict]) -> list[dict]:
    """The last sessions, latest first: id, module, start, practice seconds, event count, mean score."""
    latest = sorted(sessions, key=lambda s: (s["started_at"], s["session_id"]))[-RECENT_SESSIONS:][::-1]
    return [
        {"session_id": s["session_id"], "module_id": s["module_id"], "start": _iso(s["started_at"]),
         "duration_s": float(s["practice_s"]), "events": int(s["events"]), "average_score": s["average_score"]}
        for s in latest
    ]


def _iso(text: str) -> str:
    """Stored UTC text as ISO 8601 (fractions of a second only when there are some)."""
    return dt.datetime.fromisoformat(text).isoformat()


def _improvements(data: LearnerData, week_ago: dt.datetime, skills: list[dict]) -> list[dict]:
    """Skills whose current level rose over the last week, biggest rise first."""
    earlier = {s: row["current_level"] for s, row in data.events.until(week_ago).skills().items()}
    rises = []
    for s in skills:
        old, new = earlier.get(s["skill"]), s["current_level"]
        if old is not None and new is not None and round(new - old, 9) > 0:
            rises.append({"skill": s["skill"], "from": old, "to": new, "change": new - old})
    return sorted(rises, key=lambda r: -r["change"])[:3]
