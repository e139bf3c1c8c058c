"""One report over a team for a week or a month (DESIGN 7 and 8). Pure.

A team may hold thousands of learners, so its report is built in two steps: `learner_rows`
turns one batch of learners (two analyses, as for learner reports) into their table rows
and feeds a `ModuleTally`; `assemble` then adds the headline, the at-risk list, the
certification pipeline, the modules and the most improved. Renderers compute nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from progress_cli.analytics.risk import is_at_risk, learner_risk
from progress_cli.analytics.rows import by_learner, one_per_learner, rows
from progress_cli.catalog import Catalog
from progress_cli.reports import figures
from progress_cli.reports.build import ReportInputs
from progress_cli.reports.periods import Period
from progress_cli.reports.team_modules import ModuleTally

MOST_IMPROVED = 5


def period_goal(catalog: Catalog, period: Period) -> float:
    """The weekly goal, or for a month the weekly goal x days / 7 (as learner reports)."""
    weekly = catalog.weekly_goal_minutes
    return weekly if period.kind == "week" else weekly * period.days / 7.0


def learner_rows(batch: ReportInputs, risks: Mapping[str, list[dict]], learner_ids: list[str],
                 tally: ModuleTally) -> list[dict[str, Any]]:
    """The table row of each learner of the batch (DESIGN 8 `learners`), in the given order;
    `risks`: learner_id -> module risks (analytics.risk). A learner without events in the
    period (or at all) gets a row too: `active` false."""
    now, before, period = batch.now, batch.before, batch.period
    overall = one_per_learner(rows(now.overall, ["learner_id", "total_progress", "streak_days"]))
    overall_before = one_per_learner(rows(before.overall, ["learner_id", "total_progress"]))
    readiness = by_learner(rows(now.modules, ["learner_id", "module_id", "readiness", "attempts"]))
    readiness_before = {(r["learner_id"], r["module_id"]): r["readiness"]
                        for r in rows(before.modules, ["learner_id", "module_id", "readiness"])}
    activity = figures.period_activity(now, period)
    previous = figures.period_activity(now, period.previous())
    goal = period_goal(batch.catalog, period)
    tally.add(now, learner_ids)
    out = []
    for lid in learner_ids:
        o, act, prev = overall.get(lid, {}), activity.get(lid, {}), previous.get(lid, {})
        total, start = o.get("total_progress"), overall_before.get(lid, {}).get("total_progress")
        minutes = (act.get("practice_s") or 0.0) / 60.0
        score, prev_score = act.get("average_score"), prev.get("average_score")
        risk = learner_risk(risks.get(lid, []))
        out.append({
            "learner_id": lid,
            "name": batch.names.get(lid),
            "total_progress": total,
            "progress_change": None if total is None or start is None else total - start,
            "week_minutes": minutes,
            "goal_met": None if goal <= 0 else round(minutes, 9) >= goal,
            "active_days": act.get("active_days") or 0,
            "average_score": score,
            "score_change": None if score is None or prev_score is None else score - prev_score,
            "readiness_changes": [
                {"module_id": m["module_id"], "from": readiness_before.get((lid, m["module_id"]), "BEGINNER"),
                 "to": m["readiness"]}
                for m in readiness.get(lid, [])
                if m["attempts"] and readiness_before.get((lid, m["module_id"]), "BEGINNER") != m["readiness"]],
            "streak_days": o.get("streak_days") or 0,
            "certificate": None,  # filled in by the caller, once the whole team is known
            "risk": risk["risk"],
            "at_risk": risk["at_risk"],
            "reasons": risk["reasons"],
            "risk_module": risk["module_id"],
            "active": bool(act.get("events")),
            "previous_minutes": (prev.get("practice_s") or 0.0) / 60.0,
            "previous_active": bool(prev.get("events")),
            "module_risks": risks.get(lid, []),
        })
    return out


def assemble(*, team: str | None, period: Period, moment: dt.datetime, complete: bool, catalog: Catalog,
             learners: list[dict[str, Any]], tally: ModuleTally, certification: dict[str, Any]) -> dict[str, Any]:
    """The team report object (DESIGN 8 `report --team --json`) from every learner's row."""
    goal = period_goal(catalog, period)
    table = sorted(learners, key=lambda r: (not r["at_risk"], -round(r["risk"] or 0.0, 9) if r["at_risk"] else 0.0,
                                            r["learner_id"]))
    at_risk = [{"learner_id": r["learner_id"], "name": r["name"], "module_id": r["risk_module"], "risk": r["risk"],
                "reasons": r["reasons"],
                "other_modules": [{"module_id": m["module_id"], "risk": m["risk"]} for m in r["module_risks"]
                                  if m["module_id"] != r["risk_module"] and is_at_risk(m["risk"])]}
               for r in table if r["at_risk"]]
    return {
        "team": team,
        "period": {"kind": period.kind, "label": period.label, "start": period.start.isoformat(),
                   "end": period.end.isoformat(), "days": period.days, "complete": complete},
        "as_of": moment.isoformat(),
        "headline": _headline(learners, goal, catalog.weekly_goal_minutes),
        "learners": [{k: v for k, v in r.items() if k not in _INTERNAL} for r in table],
        "at_risk": at_risk,
        "certification": certification,
        "modules": tally.modules(catalog),
        "most_improved": _most_improved(learners),
    }


_INTERNAL = ("previous_minutes", "previous_active", "module_risks")


def _headline(learners: list[dict], goal: float, weekly_goal: float) -> dict[str, Any]:
    n = len(learners)
    now = _totals(learners, goal, minutes="week_minutes", active="active")
    before = _totals(learners, goal, minutes="previous_minutes", active="previous_active")
    return {
        "learners": n, **now,
        "goal_minutes": goal, "weekly_goal_minutes": weekly_goal,
        "at_risk": sum(1 for r in learners if r["at_risk"]),
        "previous": before,
        "change": {k: None if now[k] is None or before[k] is None else now[k] - before[k] for k in now},
    }


def _totals(learners: list[dict], goal: float, *, minutes: str, active: str) -> dict[str, Any]:
    total = sum(r[minutes] for r in learners)
    return {
        "active": sum(1 for r in learners if r[active]),
        "practice_minutes": total,
        "minutes_per_learner": total / len(learners) if learners else None,
        "goal_met": None if goal <= 0 else sum(1 for r in learners if round(r[minutes], 9) >= goal),
    }


def _most_improved(learners: list[dict]) -> list[dict[str, Any]]:
    """The learners whose total progress rose most in the period (ties: the bigger score change)."""
    rising = [r for r in learners if r["progress_change"] is not None and round(r["progress_change"], 9) > 0]
    rising.sort(key=lambda r: (-round(r["progress_change"], 9), -(r["score_change"] or 0.0), r["learner_id"]))
    return [{"learner_id": r["learner_id"], "name": r["name"], "total_progress": r["total_progress"],
             "progress_change": r["progress_change"], "score_change": r["score_change"]}
            for r in rising[:MOST_IMPROVED]]
