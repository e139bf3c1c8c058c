"""Patterns, forecasts and pattern-derived recommendations of one learner (DESIGN 5.5, 5.6).

Feeds the pure functions of `patterns.py`, `curve.py` and `forecast.py` from an `Analysis`
(`analyze(...)`), which may hold many learners: every function here takes the learner id and
reads that learner's rows only. Pure: as_of and the zone come with the analysis.

`completion_forecasts` and `current_plateaus`/`peak_times` need no scipy, so `status` can use
them and stay fast; the curves (`learner_insights`) import scipy when they run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from progress_cli.analytics import forecast as fc
from progress_cli.analytics import patterns as pt
from progress_cli.analytics import completion, recommend, rules
from progress_cli.analytics.analysis import Analysis
from progress_cli.analytics.curve import fit_curve

GAP_WORTH_A_WORD = 7  # days without practice that deserve a recommendation
OFF_TARGET = 0.15  # a success rate this far from 85% is not a level to practise at as it is


@dataclass
class LearnerView:
    """One learner's rows of an analysis, and the values derived from them once."""

    analysis: Analysis
    learner_id: str

    @cached_property
    def idx(self) -> int:
        found = np.flatnonzero(self.analysis.prepared.learners == self.learner_id)
        if not len(found):
            raise KeyError(self.learner_id)
        return int(found[0])

    @property
    def prepared(self):
        return self.analysis.prepared

    @property
    def catalog(self):
        return self.prepared.catalog

    @property
    def today(self) -> int:
        return self.prepared.today

    @cached_property
    def as_of_text(self) -> str:
        return self.prepared.as_of.isoformat()

    @cached_property
    def events(self) -> pd.DataFrame:
        ev = self.prepared.events
        lo, hi = np.searchsorted(ev["learner_idx"].to_numpy(), [self.idx, self.idx + 1])
        return ev.iloc[lo:hi]

    @cached_property
    def skill_events(self) -> pd.DataFrame:
        se = self.prepared.skill_events
        lo, hi = np.searchsorted(se["learner_idx"].to_numpy(), [self.idx, self.idx + 1])
        return se.iloc[lo:hi]

    @cached_property
    def local(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.events["ts"]).tz_convert(self.prepared.tz)

    @cached_property
    def days(self) -> pd.DataFrame:
        d = self.analysis.daily
        return d[d["learner_id"].to_numpy(dtype=object) == self.learner_id]

    @cached_property
    def active_days(self) -> np.ndarray:
        rows = self.days[self.days["active"].to_numpy()]
        return rows["day"].to_numpy().astype("datetime64[D]").astype(np.int64)

    @cached_property
    def window(self) -> fc.Window:
        return fc.recent_window(self.active_days, self.today)

    @cached_property
    def tasks(self) -> pd.DataFrame:
        t = self.analysis.tasks
        return t[t["learner_idx"].to_numpy() == self.idx]

    @cached_property
    def modules(self) -> pd.DataFrame:
        m = self.analysis.modules
        return m[m["learner_id"].to_numpy(dtype=object) == self.learner_id]

    @cached_property
    def attempts(self) -> pd.DataFrame:
        return self.events[self.events["is_attempt"].to_numpy()]

    @cached_property
    def skill_series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """skill -> (scores, local days) of its attempts, oldest first (skills in catalog order)."""
        se = self.skill_events[self.skill_events["is_attempt"].to_numpy()]
        out = {}
        for skill_idx in np.unique(se["skill_idx"].to_numpy()):
            rows = se[se["skill_idx"].to_numpy() == skill_idx]
            out[str(self.prepared.skills[skill_idx])] = (rows["score"].to_numpy(dtype=float),
                                                         rows["day_num"].to_numpy())
        return out

    def seed(self, *parts: str) -> int:
        return fc.seed_for(self.learner_id, self.as_of_text, *parts)


# -- patterns ----------------------------------------------------------------------------------

def peak_times(view: LearnerView) -> dict:
    """{"peak_hours", "peak_weekdays"} in the analysis zone."""
    ev = view.events
    practice, scores = ev["practice_s"].to_numpy(), ev["score"].to_numpy(dtype=float)
    return {
        "peak_hours": pt.peak_hours(view.local.hour.to_numpy(), practice, scores),
        "peak_weekdays": pt.peak_weekdays(view.local.day_of_week.to_numpy(), practice, scores),
    }


def peak_hours_by_learner(prepared) -> dict[str, list[dict]]:
    """`peak_times(...)["peak_hours"]` of every learner of a prepared view at once (recompute
    stores them): each learner's hours are summed in the order of their events, as
    `patterns.peak_hours` sums them, so the figures are the same to the last bit."""
    ev = prepared.events
    n = len(prepared.learners)
    hours = pd.DatetimeIndex(ev["ts"]).tz_convert(prepared.tz).hour.to_numpy()
    key = ev["learner_idx"].to_numpy().astype(np.int64) * 24 + hours
    scores = ev["score"].to_numpy(dtype=float)
    scored = ~np.isnan(scores)
    practice = np.bincount(key, weights=ev["practice_s"].to_numpy(dtype=float), minlength=n * 24).reshape(n, 24)
    attempts = np.bincount(key[scored], minlength=n * 24).reshape(n, 24)
    sums = np.bincount(key[scored], weights=scores[scored], minlength=n * 24).reshape(n, 24)
    active = np.bincount(ev["learner_idx"].to_numpy(), minlength=n) > 0
    return {learner: pt.peak_hours_from_sums(practice[i], sums[i], attempts[i]) if active[i] else []
            for i, learner in enumerate(prepared.learners)}


def _sessions(view: LearnerView) -> pd.DataFrame:
    ev = view.events
    frame = pd.DataFrame({"session": ev["session_idx"].to_numpy(), "practice": ev["practice_s"].to_numpy(),
                          "minute": view.local.hour.to_numpy() * 60 + view.local.minute.to_numpy(),
                          "day": ev["day_num"].to_numpy()})
    return frame.groupby("session", sort=False).agg(practice=("practice", "sum"), minute=("minute", "first"),
                                                    day=("day", "first"))


def skill_patterns(scores: np.ndarray) -> dict:
    """Plateaus and breakthroughs of one skill's attempt series, with `on_plateau`."""
    found = pt.plateaus(scores)
    return {
        "attempts": int(len(scores)),
        "rolling_mean": _num(pt.rolling_mean(scores)[-1]) if len(scores) else None,
        "plateaus": found,
        "on_plateau": bool(found) and found[-1]["last_attempt"] == len(scores),
        "breakthroughs": pt.breakthroughs(scores),
    }


def current_plateaus(view: LearnerView) -> list[dict]:
    """The plateaus that reach a skill's latest attempt: {"skill", "attempts", "mean", ...}."""
    return pt.current_plateaus({skill: scores for skill, (scores, _days) in view.skill_series.items()})


def difficulty_pattern(view: LearnerView) -> dict:
    att = view.attempts
    difficulty = att["difficulty"].to_numpy(dtype=float).copy()
    task = att["task_idx"].to_numpy()
    catalog_difficulty = np.array([t.difficulty if t.difficulty is not None else np.nan
                                   for m in view.catalog.modules for t in m.tasks], dtype=float)
    from_catalog = np.isnan(difficulty) & (task >= 0) & (task < len(catalog_difficulty))
    difficulty[from_catalog] = catalog_difficulty[task[from_catalog]]
    passed = rules.rounded(att["score"].to_numpy(dtype=float)) >= view.prepared.pass_marks[att["module_idx"].to_numpy()]
    return pt.optimal_difficulty(difficulty, passed)


def learner_patterns(view: LearnerView, fits: dict) -> dict:
    """The `patterns` object of `insights --json`. `fits` maps "overall" and each skill to a
    CurveFit (see `fit_curves`)."""
    sessions = _sessions(view)
    skills = {}
    plateaus, breakthroughs = [], []
    for skill, (scores, days) in view.skill_series.items():
        found = skill_patterns(scores)
        skills[skill] = {"attempts": found["attempts"], "current_level": _num(scores[-fc.LEVEL_WINDOW:].mean()),
                         "rolling_mean": found["rolling_mean"], "on_plateau": found["on_plateau"],
                         "curve": fits[skill].as_dict()}
        for p in found["plateaus"]:
            plateaus.append({"skill": skill, **p, "start_date": fc.iso_day(days[p["first_attempt"] - 1]),
                             "end_date": fc.iso_day(days[p["last_attempt"] - 1]),
                             "current": p["last_attempt"] == len(scores)})
        for b in found["breakthroughs"]:
            breakthroughs.append({"skill": skill, **b, "start_date": fc.iso_day(days[b["first_attempt"] - 1]),
                                  "end_date": fc.iso_day(days[b["last_attempt"] - 1]),
                                  "recent": int(days[b["last_attempt"] - 1]) >= view.window.start})
    return {
        **peak_times(view),
        "session_length": pt.session_length(sessions["practice"].to_numpy()),
        "time_consistency": pt.time_consistency(sessions["minute"].to_numpy()),
        "learning_curve": fits["overall"].as_dict(),
        "skills": skills,
        "plateaus": plateaus,
        "breakthroughs": breakthroughs,
        "optimal_difficulty": difficulty_pattern(view),
        "engagement": pt.engagement(sessions["day"].to_numpy(), view.active_days, view.today),
    }


def fit_curves(view: LearnerView) -> dict:
    """CurveFit of all the learner's attempts ("overall") and of each skill's."""
    fits = {"overall": fit_curve(view.attempts["score"].to_numpy(dtype=float))}
    for skill, (scores, _days) in view.skill_series.items():
        fits[skill] = fit_curve(scores)
    return fits


# -- forecasts ---------------------------------------------------------------------------------

def completion_forecasts(view: LearnerView, calibrations: dict | None = None, *, per_module: bool = True) -> dict:
    """{"completion": F, "modules": {module_id: F}} of `completion.completion_forecasts`, read
    from the analysis."""
    return completion.completion_forecasts(completion_inputs(view), view.window, view.seed, calibrations,
                                           per_module=per_module)


def completion_inputs(view: LearnerView) -> completion.CompletionInputs:
    """The completion forecasts' inputs from the learner's rows of the analysis."""
    tasks, p = view.tasks, view.prepared
    with_catalog = bool(view.catalog.modules)
    counted = tasks["catalog_task"].to_numpy() if with_catalog else np.ones(len(tasks), dtype=bool)
    done = tasks["completed_day"].to_numpy()
    facts = [completion.TaskFacts(module_id=str(p.modules[m]), completed_day=None if d != d else int(d),
                                  counted=bool(c), attempted=bool(a))
             for m, d, c, a in zip(tasks["module_idx"].to_numpy(), done, counted, _attempted(view, tasks))]
    att = view.attempts
    att_module, att_score = att["module_idx"].to_numpy(), att["score"].to_numpy(dtype=float)
    modules = view.modules[["module_id", "in_catalog", "tasks_total", "completed_tasks"]].to_dict("records")
    index = {m: i for i, m in enumerate(p.modules)}
    return completion.CompletionInputs(
        modules=modules, tasks=facts,
        module_scores={m["module_id"]: att_score[att_module == index[m["module_id"]]] for m in modules},
        pass_marks={m["module_id"]: float(p.pass_marks[index[m["module_id"]]]) for m in modules},
        started=set(view.events["module_id"].to_numpy(dtype=object).tolist()),
        retries=_retries_after_failure(view), with_catalog=with_catalog)


def _attempted(view: LearnerView, tasks: pd.DataFrame) -> np.ndarray:
    """Per row of `tasks`: has the learner a scored attempt on it (in that module)?"""
    att = view.attempts
    keys = set(zip(att["module_idx"].to_numpy().tolist(), att["task_idx"].to_numpy().tolist()))
    return np.array([(m, t) in keys for m, t in zip(tasks["module_idx"].to_numpy().tolist(),
                                                     tasks["task_idx"].to_numpy().tolist())], dtype=bool)


def _retries_after_failure(view: LearnerView) -> bool:
    """Has the learner ever attempted a task again after an attempt on it that failed?"""
    att = view.attempts
    task = att["task_idx"].to_numpy()
    rows = task >= 0
    if not rows.any():
        return False
    module = att["module_idx"].to_numpy()[rows]
    failed = rules.rounded(att["score"].to_numpy(dtype=float)[rows]) < view.prepared.pass_marks[module]
    frame = pd.DataFrame({"module": module, "task": task[rows], "failed": failed})
    # A retry: a failed attempt that is not the task's last attempt (attempts are in time order).
    not_last = frame.duplicated(["module", "task"], keep="last").to_numpy()
    return bool((failed & not_last).any())


def practice_forecasts(view: LearnerView) -> dict:
    """{module_id: F} for the catalog modules with a target date: practice minutes per week."""
    out = {}
    days = view.days[view.days["active"].to_numpy()]
    day_nums = days["day"].to_numpy().astype("datetime64[D]").astype(np.int64)
    tasks = view.tasks
    counted = tasks["catalog_task"].to_numpy()
    done = tasks["completed_day"].to_numpy()[counted]
    done = done[~np.isnan(done)].astype(np.int64)
    per_day = np.array([np.count_nonzero(done == d) for d in day_nums], dtype=float)
    by_module = {r.module_id: r for r in view.modules.itertuples()}
    for module in view.catalog.modules:
        if module.target_date is None:
            continue
        row = by_module.get(module.id)
        remaining = int(row.tasks_total - row.completed_tasks) if row is not None else len(module.tasks)
        out[module.id] = fc.practice_needed(
            remaining=remaining, target_day=(module.target_date - dt.date(1970, 1, 1)).days, today=view.today,
            day_minutes=days["practice_minutes"].to_numpy(), day_completions=per_day,
            seed=view.seed("practice", module.id), target_pace=view.catalog.target_pace_tasks_per_week)
    return out


def skill_forecasts(view: LearnerView, fits: dict) -> dict:
    """{skill: {"level_in_30_days": F, "time_to_mastery_days": F}} for every practised skill."""
    return {skill: fc.skill_forecasts(scores=scores, attempt_days=days, fit=fits[skill], window=view.window,
                                      seed=view.seed("skill", skill))
            for skill, (scores, days) in view.skill_series.items()}


# -- everything --------------------------------------------------------------------------------

def learner_insights(analysis: Analysis, learner_id: str, calibrations: dict | None = None) -> dict[str, Any]:
    """{"patterns", "forecasts", "recommendations", "curve"} of one learner; `calibrations`
    as `completion_forecasts` takes them.

    `recommendations` are the pattern-derived ones (at most 5, highest priority first);
    `curve` holds the overall attempt scores for a chart (not part of the JSON contract).
    """
    view = LearnerView(analysis, learner_id)
    fits = fit_curves(view)
    patterns = learner_patterns(view, fits)
    forecasts = {**completion_forecasts(view, calibrations), "skills": skill_forecasts(view, fits),
                 "practice_needed": practice_forecasts(view)}
    return {
        "window": {"start": fc.iso_day(view.window.start), "end": fc.iso_day(view.window.end),
                   "days": view.window.days, "active_days": view.window.active_days},
        "patterns": patterns,
        "forecasts": forecasts,
        "recommendations": pattern_recommendations(view, patterns, forecasts),
        "curve": {"scores": view.attempts["score"].to_numpy(dtype=float).tolist(), "fit": fits["overall"]},
    }


def pattern_recommendations(view: LearnerView, patterns: dict, forecasts: dict) -> list[dict]:
    """Recommendations read off the patterns and forecasts, highest priority first, at most 5."""
    out: list[dict] = []
    for module_id, f in forecasts["modules"].items():
        module = view.catalog.module(module_id)
        if module is None or module.target_date is None or f["estimate"] is None:
            continue
        target = module.target_date.isoformat()
        if f["estimate"] > target and target >= fc.iso_day(view.today):
            need = forecasts["practice_needed"].get(module_id) or {}
            minutes = need.get("estimate")
            more = f"; about {minutes:.0f} min a week would make it" if minutes is not None else ""
            out.append(recommend.rec("high", module_id, None,
                                     f"at your recent pace it completes around {f['estimate']} "
                                     f"(80%: {f['low']} to {f['high']}), after its target date {target}{more}",
                                     int(round(minutes)) if minutes is not None else 60))
    engagement = patterns["engagement"]
    gap = engagement["current_gap_days"]
    if gap is not None and gap >= GAP_WORTH_A_WORD:
        out.append(recommend.rec("medium", None, None,
                                 f"no practice for {gap} days (sessions per week so far: "
                                 f"{engagement['sessions_per_week']:.1f}); a short session gets you back",
                                 _session_minutes(patterns)))
    plateaus = [p for p in patterns["plateaus"] if p["current"]]
    best = patterns["optimal_difficulty"]
    on_target = best["difficulty"] is not None and _near_target(best["success_rate"])
    out.extend(recommend.plateau_recommendations(plateaus, best["difficulty"] if on_target else None))
    difficulty = difficulty_recommendation(patterns["optimal_difficulty"], _session_minutes(patterns))
    if difficulty:
        out.append(difficulty)
    latest = {b["skill"]: b for b in patterns["breakthroughs"] if b["recent"]}  # the last one per skill
    for b in latest.values():
        out.append(recommend.rec("low", None, b["skill"],
                                 f"your rolling mean rose {b['rise']:.0f} points (to {b['to']:.0f}) by "
                                 f"{b['end_date']}; keep practising it while it is moving", _session_minutes(patterns)))
    closest = _closest_mastery(forecasts["skills"])
    if closest is not None:
        skill, f = closest
        out.append(recommend.rec("low", None, skill,
                                 f"on its fitted curve it reaches 85 in about {f['estimate']:.0f} days "
                                 f"(80%: {f['low']:.0f} to {f['high']:.0f}) at your recent pace",
                                 _session_minutes(patterns)))
    best_hours = recommend.best_hours_recommendation(patterns["peak_hours"], _session_minutes(patterns))
    if best_hours:
        out.append(best_hours)
    return recommend.ranked(out)


def difficulty_recommendation(best: dict, minutes: int) -> dict | None:
    """From patterns.optimal_difficulty: the level to practise at, or what to do when no
    level comes within 15 points of the 85% success that keeps practice productive."""
    if best["difficulty"] is None:
        return None
    level, rate = best["difficulty"], best["success_rate"]
    levels = [d["difficulty"] for d in best["by_difficulty"] if d["attempts"] >= pt.MIN_DIFFICULTY_ATTEMPTS]
    passed = f"{rate * 100:.0f}% of your {best['attempts']} attempts at difficulty {level} passed"
    target = f"{pt.TARGET_SUCCESS * 100:.0f}%"
    if _near_target(rate):
        reason = (f"practise at difficulty {level}: {passed}, the nearest to the {target} success that keeps "
                  f"practice productive")
    elif rate < pt.TARGET_SUCCESS:
        reason = f"{passed} and no level you practise comes nearer {target}: review the material before more attempts"
    else:
        harder = "move on to harder tasks" if level == max(levels) else "practise at a harder level"
        reason = f"{passed} and no level you practise comes nearer {target}, so practice teaches little: {harder}"
    return recommend.rec("medium", None, None, reason, minutes)


def _near_target(success_rate: float) -> bool:
    return bool(rules.rounded(abs(success_rate - pt.TARGET_SUCCESS)) < OFF_TARGET)


def _closest_mastery(skills: dict) -> tuple[str, dict] | None:
    candidates = [(f["time_to_mastery_days"]["estimate"], skill, f["time_to_mastery_days"])
                  for skill, f in skills.items()
                  if f["time_to_mastery_days"]["estimate"] not in (None, 0.0)]
    if not candidates:
        return None
    _, skill, f = min(candidates, key=lambda c: (c[0], c[1]))
    return skill, f


def _session_minutes(patterns: dict) -> int:
    average = patterns["session_length"]["average_minutes"]
    return max(15, int(round(average))) if average else 30


def _num(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if np.isnan(value) else value
