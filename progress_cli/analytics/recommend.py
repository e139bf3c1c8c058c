"""Recommendations derived from the numbers (DESIGN 5.5): rules, never canned text.

Input is plain rows of one learner (the status payload's pieces); output is at most five
`{"priority", "module_id", "skill", "reason", "estimated_minutes"}`, highest priority first.
"""

from __future__ import annotations

import math
from typing import Any

from progress_cli.catalog import Catalog

MAX_RECOMMENDATIONS = 5
_ORDER = {"high": 0, "medium": 1, "low": 2}
_MINUTES_PER_POINT = 3  # a rough practice cost of one point of average score or mastery


def recommendations(
    *,
    catalog: Catalog,
    modules: list[dict[str, Any]],
    skills: list[dict[str, Any]],
    weaknesses: list[str],
    streak_days: int,
    last_active_day: str | None,
    week_minutes: float,
) -> list[dict[str, Any]]:
    """Rules over module scores, skill mastery, weaknesses, the streak and the weekly goal."""
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
    out.sort(key=lambda r: _ORDER[r["priority"]])  # stable: rule order breaks ties
    return out[:MAX_RECOMMENDATIONS]


def _minutes(gap: float) -> int:
    return max(15, math.ceil(gap) * _MINUTES_PER_POINT)


def _rec(priority: str, module_id: str | None, skill: str | None, reason: str, minutes: int) -> dict[str, Any]:
    return {"priority": priority, "module_id": module_id, "skill": skill, "reason": reason,
            "estimated_minutes": minutes}
