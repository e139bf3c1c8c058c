"""Recommendations derived from the numbers (DESIGN 5.5): rules, never canned text.

`learner_recommendations` reads the rules' inputs from an analysis, for `status`, reports and
`insights` alike; `recommendations` applies the rules to one learner's plain rows. Output is
at most five `{"priority", "module_id", "skill", "reason", "estimated_minutes"}`, highest
priority first.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Mapping

from progress_cli.catalog import Catalog

if TYPE_CHECKING:  # analyses bring pandas; `recommendations` serves `status` without it (DESIGN 9)
    from progress_cli.analytics.analysis import Analysis

MAX_RECOMMENDATIONS = 5
_ORDER = {"high": 0, "medium": 1, "low": 2}
_MINUTES_PER_POINT = 3  # a rough practice cost of one point of average score or mastery


def learner_recommendations(analysis: Analysis, catalog: Catalog, learner_ids: list[str], *,
                            week_minutes: Mapping[str, float] | None = None,
                            extras: Mapping[str, Mapping[str, list]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """learner_id -> recommendations, for each of `learner_ids` (learners of `analysis`).

    `week_minutes`: each learner's practice this week, as the caller counts a week (a report's
    period); by default the learner's last row of `analysis.weekly`. `extras`: per learner,
    the `plateaus` and `peak_hours` rules' inputs (analytics.insights), when the caller has them.
    """
    from progress_cli.analytics.rows import by_learner, one_per_learner, rows  # pandas: see the imports

    modules = by_learner(rows(analysis.modules, ["learner_id", "module_id", "average_score", "trend_slope",
                                                 "trend_direction"]))
    skills = by_learner(rows(analysis.skills, ["learner_id", "skill", "mastery"]))
    weaknesses = one_per_learner(rows(analysis.overall, ["learner_id", "weaknesses"]))
    streaks = one_per_learner(rows(analysis.streaks, ["learner_id", "streak_days", "last_active_day"]))
    if week_minutes is None:
        week_minutes = {r["learner_id"]: r["practice_minutes"]
                        for r in rows(analysis.weekly, ["learner_id", "practice_minutes"])}  # the last row wins
    out = {}
    for lid in learner_ids:
        streak = streaks.get(lid, {})
        last_active = streak.get("last_active_day")
        out[lid] = recommendations(
            catalog=catalog,
            modules=[{"module_id": m["module_id"], "average_score": m["average_score"],
                      "trend": {"slope": m["trend_slope"], "direction": m["trend_direction"]}}
                     for m in modules.get(lid, [])],
            skills=skills.get(lid, []),
            weaknesses=weaknesses.get(lid, {}).get("weaknesses") or [],
            streak_days=streak.get("streak_days") or 0,
            last_active_day=None if last_active is None else str(last_active)[:10],
            week_minutes=week_minutes.get(lid) or 0.0,
            **(extras or {}).get(lid, {}),
        )
    return out


def recommendations(
    *,
    catalog: Catalog,
    modules: list[dict[str, Any]],
    skills: list[dict[str, Any]],
    weaknesses: list[str],
    streak_days: int,
    last_active_day: str | None,
    week_minutes: float,
    plateaus: list[dict[str, Any]] | None = None,
    peak_hours: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Rules over module scores, skill mastery, weaknesses, the streak and the weekly goal;
    and, when given (analytics.insights), the skills on a plateau and the peak hours."""
    out: list[dict[str, Any]] = []
    by_module = {m["module_id"]: m for m in modules}
    by_skill = {s["skill"]: s for s in skills}
    cert = catalog.certification
    if cert:
        for module_id, required in cert.module_scores.items():
            score = (by_module.get(module_id) or {}).get("average_score")
            if score is None or round(score, 9) < required:
                gap = required - (score or 0)
                now = "no scored attempts yet" if score is None else f"average score {score:.1f}"
                out.append(_rec("high", module_id, None,
                                f"{now}; the certification needs {required:g}", _minutes(gap)))
        for skill, required in cert.skill_mastery.items():
            mastery = (by_skill.get(skill) or {}).get("mastery")
            if mastery is None or round(mastery, 9) < required:
                gap = required - (mastery or 0)
                now = "not practised yet" if mastery is None else f"mastery {mastery:.0f}"
                out.append(_rec("high", None, skill, f"{now}; the certification needs {required:g}", _minutes(gap)))
    for skill in weaknesses:
        if any(r["skill"] == skill for r in out):
            continue
        mastery = (by_skill.get(skill) or {}).get("mastery")
        if mastery is not None:
            out.append(_rec("medium", None, skill, f"one of your weakest skills (mastery {mastery:.0f})", 30))
    for m in modules:
        if m.get("trend", {}).get("direction") == "declining" and not any(r["module_id"] == m["module_id"] for r in out):
            out.append(_rec("medium", m["module_id"], None,
                            f"scores are declining ({m['trend']['slope']:+.1f} points per attempt)", 30))
    if streak_days == 0 and last_active_day:
        minutes = max(catalog.streak_min_minutes, 15)
        out.append(_rec("medium", None, None,
                        f"no practice since {last_active_day}; a short session restarts your streak", minutes))
    goal = catalog.weekly_goal_minutes
    if goal and week_minutes < goal:
        out.append(_rec("low", None, None, f"{week_minutes:.0f} of {goal:g} minutes practised this week",
                        math.ceil(goal - week_minutes)))
    out.extend(plateau_recommendations(plateaus or []))
    best_hours = best_hours_recommendation(peak_hours or [])
    if best_hours:
        out.append(best_hours)
    return ranked(out)


def ranked(out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Highest priority first (stable: rule order breaks ties), at most five."""
    return sorted(out, key=lambda r: _ORDER[r["priority"]])[:MAX_RECOMMENDATIONS]


def plateau_recommendations(plateaus: list[dict[str, Any]], difficulty: int | None = None) -> list[dict[str, Any]]:
    """A skill on a plateau (patterns.plateaus that reach its latest attempt, with "skill")."""
    change = f"practise it at difficulty {difficulty}" if difficulty is not None else "try harder tasks or review it"
    return [_rec("medium", None, p["skill"],
                 f"stuck around {p['mean']:.0f} for the last {p['attempts']} attempts (rolling mean within "
                 f"{p['spread']:.1f} points); change the approach: {change}", 30)
            for p in plateaus]


def best_hours_recommendation(peak_hours: list[dict[str, Any]], minutes: int = 30) -> dict[str, Any] | None:
    """The hours of day (patterns.peak_hours) that hold most of the learner's practice."""
    if not peak_hours:
        return None
    hours = ", ".join(f"{h['hour']:02d}:00" for h in peak_hours)
    share = sum(h["share"] for h in peak_hours) * 100
    scored = [h for h in peak_hours if h.get("mean_score") is not None]
    score = f" (mean score {scored[0]['mean_score']:.0f} at {scored[0]['hour']:02d}:00)" if scored else ""
    return _rec("low", None, None, f"your best hours: {share:.0f}% of your practice falls in the hours "
                f"{hours}{score}; plan the next sessions then", minutes)


def rec(priority: str, module_id: str | None, skill: str | None, reason: str, minutes: int) -> dict[str, Any]:
    """One recommendation object (for rules that live next to the patterns they read)."""
    return _rec(priority, module_id, skill, reason, minutes)


def _minutes(gap: float) -> int:
    return max(15, math.ceil(gap) * _MINUTES_PER_POINT)


def _rec(priority: str, module_id: str | None, skill: str | None, reason: str, minutes: int) -> dict[str, Any]:
    return {"priority": priority, "module_id": module_id, "skill": skill, "reason": reason,
            "estimated_minutes": minutes}
