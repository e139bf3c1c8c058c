"""`progress status LEARNER`: one learner's dashboard in the shape of DESIGN section 8."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from progress_cli.analytics import next_milestone
from progress_cli.analytics.recommend import learner_recommendations
from progress_cli.analytics.risk import learner_risk
from progress_cli.analytics.risk_inputs import module_risks
from progress_cli.services.achievements import evaluate_badges, upcoming_milestones
from progress_cli.services.frames import records
from progress_cli.services.insights import status_extras
from progress_cli.services.learner_data import load_learner
from progress_cli.store.models import iso_time

RECENT_SESSIONS = 5
RECENT_DAYS = 7


@dataclass(frozen=True)
class Status:
    payload: dict[str, Any]  # what --json prints (DESIGN 8)
    completion: dict[str, Any]  # the completion forecast behind predicted_completion_date, with its interval


def learner_status(db: str, learner_id: str, *, tz: ZoneInfo, as_of: str | None = None) -> Status:
    """Everything `status` shows, computed from the learner's events as of `as_of`."""
    data = load_learner(db, learner_id, tz=tz, as_of=as_of, with_calibrations=True, with_peers=True)
    catalog, moment, name = data.catalog, data.as_of, data.name
    now = data.analyze()
    skills_before = data.skills_as_of(moment - dt.timedelta(days=RECENT_DAYS))

    overall = _one(records(now.overall, now.overall.columns))
    streak = _one(records(now.streaks, ["streak_days", "last_active_day"], dates=("last_active_day",)))
    skills = [_skill(s) for s in records(now.skills, now.skills.columns)]
    module_skills = records(now.module_skills, now.module_skills.columns)
    modules = [_module(m, module_skills) for m in records(now.modules, now.modules.columns)]
    week = records(now.weekly.tail(1), now.weekly.columns)
    badges = evaluate_badges(data, now)
    extras = status_extras(now, learner_id, data.calibrations)  # the completion forecast, plateaus, peak hours
    earned = [{k: a[k] for k in ("id", "name", "type", "points", "earned_at")} for a in badges["earned"]]
    week_ago = (moment - dt.timedelta(days=RECENT_DAYS)).astimezone(dt.timezone.utc)
    week_minutes = week[0]["practice_minutes"] if week else 0.0
    risks = module_risks(now, data.peers).get(learner_id, [])
    payload = {
        "learner": {"id": learner_id, "name": name},
        "as_of": moment.isoformat(),
        "overall": {
            "total_progress": overall.get("total_progress"),
            "certificate_progress": overall.get("certificate_progress"),
            "improvement_rate": overall.get("improvement_rate"),
            "strengths": overall.get("strengths") or [],
            "weaknesses": overall.get("weaknesses") or [],
            "predicted_completion_date": extras["completion"]["estimate"],
            "streak_days": streak.get("streak_days") or 0,
            "total_time_s": overall.get("total_time_s") or 0.0,
        },
        "modules": modules,
        "skills": skills,
        "summary": {
            "weekly_goal_progress": week[0]["weekly_goal_progress"] if week else (0.0 if catalog.weekly_goal_minutes else None),
            "week_minutes": week_minutes,
            "weekly_goal_minutes": catalog.weekly_goal_minutes,
        },
        "recent_activity": {
            "sessions": _recent_sessions(now.sessions),
            "achievements": [a for a in earned if dt.datetime.fromisoformat(a["earned_at"]) > week_ago],
            "improvements": _improvements(records(skills_before, ["skill", "current_level"]), skills),
        },
        "achievements": earned,
        "upcoming_milestones": upcoming_milestones(badges, skills),
        "recommendations": learner_recommendations(
            now, catalog, [learner_id], week_minutes={learner_id: week_minutes},
            extras={learner_id: {"plateaus": extras["plateaus"], "peak_hours": extras["peak_hours"]}})[learner_id],
        "risk": learner_risk(risks) | {"modules": risks},
    }
    return Status(payload, extras["completion"])


def _one(rows: list[dict]) -> dict:
    return rows[0] if rows else {}


def _skill(row: dict) -> dict:

    milestone = next_milestone(row["next_level"], row["next_threshold"], row["attempts_needed"])
    return {k: row.get(k) for k in ("skill", "current_level", "improvement_rate", "consistency", "mastery", "level")} | {
        "attempts": row.get("attempts", 0), "next_milestone": milestone}


def _module(row: dict, module_skills: list[dict]) -> dict:
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
        "skills": [_skill(s) for s in module_skills if s.get("module_id") == row.get("module_id")],
    }


def _recent_sessions(sessions) -> list[dict]:
    """The last sessions, latest first: id, module, start, practice seconds, event count, mean score."""
    latest = sessions.tail(RECENT_SESSIONS).iloc[::-1]
    return [
        {"session_id": r.session_id, "module_id": r.module_id, "start": r.start.isoformat(),
         "duration_s": float(r.practice_s), "events": int(r.events),
         "average_score": None if r.average_score != r.average_score else float(r.average_score)}
        for r in latest.itertuples()
    ]


def _improvements(before: list[dict], skills: list[dict]) -> list[dict]:
    """Skills whose current level rose over the last week, biggest rise first."""
    earlier = {r["skill"]: r["current_level"] for r in before}
    rises = []
    for s in skills:
        old, new = earlier.get(s["skill"]), s["current_level"]
        if old is not None and new is not None and round(new - old, 9) > 0:
            rises.append({"skill": s["skill"], "from": old, "to": new, "change": new - old})
    return sorted(rises, key=lambda r: -r["change"])[:3]

