"""Next week's goals, derived from the recommendations and the weekly goal (DESIGN 7).

1. practice: the weekly goal in minutes (none when the catalog's goal is 0);
2. focus: one goal per recommendation that names a module or a skill, in priority order, at
   most three; each gets the recommendation's estimated minutes, but together they never
   exceed the weekly goal (the time budget of the week);
3. habit: a recommendation about the practice habit itself (a lapsed streak), as is.
The recommendation "weekly goal not met" is what goal 1 already says, so it adds nothing.
"""

from __future__ import annotations

from typing import Any

MAX_FOCUS = 3


def next_goals(recommendations: list[dict[str, Any]], *, weekly_goal_minutes: float, week_minutes: float,
               week_label: str, module_titles: dict[str, str], skill_names: dict[str, str]) -> list[dict[str, Any]]:
    """[{"kind", "text", "minutes", "module_id", "skill"}]. `week_minutes` is the practice of
    the week just reported (`week_label` names it); titles and names are what is shown for
    module and skill ids."""
    goals: list[dict[str, Any]] = []
    goal = weekly_goal_minutes or 0
    if goal > 0:
        short = goal - week_minutes
        extra = f" ({short:.0f} more than {week_label})" if round(short) > 0 else ""
        goals.append(_goal("practice", f"Practise at least {goal:g} minutes next week{extra}", goal))
    budget = goal if goal > 0 else None
    focus = 0
    for rec in recommendations:
        target = rec["skill"] or rec["module_id"]
        if target is None:
            if rec["priority"] != "low":  # the weekly-goal rule is goal 1 already
                goals.append(_goal("habit", f"{rec['reason'][:1].upper()}{rec['reason'][1:]}",
                                   rec["estimated_minutes"]))
            continue
        if focus >= MAX_FOCUS or (budget is not None and budget <= 0):
            continue
        minutes = rec["estimated_minutes"] if budget is None else min(rec["estimated_minutes"], budget)
        if budget is not None:
            budget -= minutes
        focus += 1
        label = skill_names.get(target, target) if rec["skill"] else module_titles.get(target, target)
        goals.append(_goal("focus", f"Spend {minutes:g} minutes on {label}: {rec['reason']}", minutes,
                           module_id=rec["module_id"], skill=rec["skill"]))
    return goals


def _goal(kind: str, text: str, minutes: float, module_id: str | None = None,
          skill: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "text": text, "minutes": minutes, "module_id": module_id, "skill": skill}
