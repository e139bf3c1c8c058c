"""Progress toward locked achievements (DESIGN 6) from what the events say and the as-of moment.

`achievements.evaluate` walks every event (metrics.Timeline: pandas) to find when each
achievement was earned and what each requirement's metric reads after the learner's last
event; recompute stores that per learner (`achievement_states`, table `achievement_progress`)
with each growing metric's recent history. What depends on the as-of moment is computed here,
for the full computation and for the reads that answer from the stored rows alike: a
requirement's value today (the streak and the weekly-goal run change without events),
min(current / required, 1), and the estimated date from the last 14 days' pace. No pandas.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from progress_cli.analytics import rules
from progress_cli.catalog import READINESS_LEVELS, Achievement, Requirement

PACE_DAYS = 14
CUMULATIVE = {"sessions", "total_hours", "total_progress", "module_completion", "challenge_wins"}
OPS = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less, "==": np.equal}


@dataclass(frozen=True)
class Evaluated:
    """One achievement of one learner, as `services.achievements.achievement_view` reads it."""

    achievement_id: str
    earned_at: str | None  # UTC text of the satisfying event, None while locked
    progress: float  # 0..1
    current: list[float]  # one value per requirement
    required: list[float]
    estimated_date: dt.date | None


def readiness_ordinal(level: str) -> int:
    return READINESS_LEVELS.index(level.upper())


def required_value(req: Requirement) -> float:
    return float(readiness_ordinal(req.value)) if req.metric == "module_readiness" else float(req.value)


def paced(req: Requirement) -> bool:
    """Does the requirement's estimated date read its metric's pace (a metric that only grows)?"""
    return req.metric in CUMULATIVE and req.op in (">=", ">")


def progress_and_eta(achievement: Achievement, now: list[np.ndarray], then: list[np.ndarray],
                     done: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(progress 0..1, days until every requirement holds: NaN when unknown) per learner, from
    each requirement's value now and PACE_DAYS ago; an earned achievement has progress 1."""
    ratios, days_needed = [], []
    for req, value_now, value_then in zip(achievement.requirements, now, then):
        required = required_value(req)
        ratios.append(_ratio(value_now, req.op, required))
        days_needed.append(_days_needed(req, value_now, value_then, required))
    progress = np.minimum.reduce(ratios) if ratios else np.ones(len(done))
    eta = np.maximum.reduce(days_needed) if days_needed else np.full(len(done), np.nan)
    return np.where(done, 1.0, progress), eta


def _ratio(now: np.ndarray, op: str, required: float) -> np.ndarray:
    if op in (">=", ">"):
        if required <= 0:
            return np.ones(len(now))
        return np.clip(now / required, 0.0, 1.0)
    return OPS[op](rules.rounded(now), required).astype(float)


def _days_needed(req: Requirement, now, then, required) -> np.ndarray:
    """Days until the requirement holds at the last 14 days' pace; 0 when it holds, NaN when unknown."""
    met = OPS[req.op](rules.rounded(now), required)
    if not paced(req):
        return np.where(met, 0.0, np.nan)
    pace = (now - then) / PACE_DAYS
    with np.errstate(invalid="ignore", divide="ignore"):
        days = np.where(pace > 0, np.ceil(rules.rounded((required - now) / pace)), np.nan)
    return np.where(met, 0.0, days)


def value_at(history: Mapping, moment: str) -> float:
    """A growing metric's value after the learner's last event at or before `moment` (UTC
    text), from its stored history: {"base": the value at the window's start, "changes":
    [[UTC text, value], ...]} (`achievements.achievement_states`); `moment` no earlier than
    the window's start."""
    changes = history["changes"]
    at = bisect.bisect_right([c[0] for c in changes], moment)
    return float(changes[at - 1][1]) if at else float(history["base"])


def evaluated_rows(achievements: tuple[Achievement, ...] | list[Achievement], states: Mapping[str, Mapping],
                   today: Mapping[str, float], moment: dt.datetime, tz: dt.tzinfo) -> list[Evaluated]:
    """Each achievement of one learner as of `moment`, from its stored state ({"earned_at",
    "current": the values after the last event, "history": per requirement, None unless
    `paced`}) and `today`'s values of the metrics that change without events (the streak,
    the weekly-goal run). Achievements without a state are left out."""
    before = (moment - dt.timedelta(days=PACE_DAYS)).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    out = []
    for a in achievements:
        state = states.get(a.id)
        if state is None:  # a learner without events has none
            continue
        now = [float(today[r.metric]) if r.metric in today else float(v) for r, v in zip(a.requirements, state["current"])]
        then = [value_at(h, before) if h is not None else 0.0 for h in state["history"]]
        done = state["earned_at"] is not None
        progress, eta = progress_and_eta(a, [np.array([v]) for v in now], [np.array([v]) for v in then],
                                         np.array([done]))
        estimated = None if done or math.isnan(eta[0]) else moment.astimezone(tz).date() + dt.timedelta(days=int(eta[0]))
        out.append(Evaluated(a.id, state["earned_at"], float(progress[0]), now,
                             [required_value(r) for r in a.requirements], estimated))
    return out
