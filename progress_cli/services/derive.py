"""The derived rows of a batch of learners, from their events: everything `recompute` writes
for them except the risk, which waits for the peers (services/recompute.py).

It reads nothing from the store and returns plain rows, tuples in each table's column order,
so it runs the same in recompute's own process or in a worker process (services/workers.py),
and what comes back pickles small and goes to the one writer as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from progress_cli.analytics import analyze, next_milestone
from progress_cli.analytics.achievements import current_overrides, evaluate
from progress_cli.analytics.risk_inputs import PendingRisk, pending_risks, unfinished_modules
from progress_cli.catalog import Catalog
from progress_cli.json_output import to_json
from progress_cli.services.calibration import sample_rows
from progress_cli.services.frames import events_frame, row_tuples, values
from progress_cli.services.risk import add_peers
from progress_cli.store.derived import DAILY_ACTIVITY, FORECAST_SAMPLES, LEARNER_PROGRESS, MODULE_PROGRESS, \
    PEER_TASKS, SESSIONS, SKILL_PROGRESS
from progress_cli.store.models import stored_time

# Written in this order; module_risk follows once the peers are known.
ROW_TABLES = [LEARNER_PROGRESS, MODULE_PROGRESS, SKILL_PROGRESS, DAILY_ACTIVITY, SESSIONS, FORECAST_SAMPLES, PEER_TASKS]


@dataclass
class Derived:
    """What one batch of learners contributes to a recompute."""

    rows: dict[str, list[tuple]] = field(default_factory=dict)  # table name -> rows (ROW_TABLES)
    readiness: dict[tuple[str, str], str] = field(default_factory=dict)  # (learner, module) -> level
    earned: list[tuple[str, str, str]] = field(default_factory=list)  # (learner, achievement, earned_at) as of now
    risks: list[PendingRisk] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)  # the modules whose peers its risks weigh
    peers: dict[str, dict[str, Any]] = field(default_factory=dict)  # these learners' share of queries.module_peers


def derive(events: list[tuple], *, catalog: Catalog, tz: ZoneInfo, as_of: dt.datetime) -> Derived:
    """The derived rows of the learners of `events` (store rows, `queries.EVENT_FRAME_COLUMNS`)."""
    if not events:
        return Derived()
    # what recompute stores needs neither the per-module skills nor the months, nor the weeks
    # unless an achievement may count them (analytics.achievements.current_overrides)
    skip = ("module_skills", "monthly") if catalog.achievements else ("module_skills", "monthly", "weekly")
    result = analyze(events_frame(events), catalog, tz.key, as_of, skip=skip)
    out = Derived()
    overall = result.overall.copy()
    overall["computed_as_of"] = stored_time(as_of)
    overall["last_active_day"] = result.streaks["last_active_day"].to_numpy()
    overall["predicted_completion_date"] = None
    skills = result.skills.copy()
    skills["next_milestone"] = [
        None if m is None else _milestone_json(m["level"], m["threshold"], m["attempts_needed"])
        for m in map(next_milestone, skills["next_level"], skills["next_threshold"], skills["attempts_needed"])]
    frames = {LEARNER_PROGRESS.name: (overall, {"dates": ("last_active_day",),
                                                       "json_columns": ("strengths", "weaknesses")}),
              MODULE_PROGRESS.name: (result.modules, {}),
              SKILL_PROGRESS.name: (skills, {}),
              DAILY_ACTIVITY.name: (result.daily, {"dates": ("day",)}),
              SESSIONS.name: (result.sessions.rename(columns={"start": "started_at", "end": "ended_at"}), {})}
    for name, (frame, how) in frames.items():
        out.rows[name] = row_tuples(frame, [c.key for c in _TABLES[name].columns], **how)
    out.rows[FORECAST_SAMPLES.name] = sample_rows(result)
    out.rows[PEER_TASKS.name] = peers = peer_rows(result)
    add_peers(out.peers, peers)
    modules = result.modules
    out.readiness = dict(zip(zip(modules["learner_id"], modules["module_id"]), modules["readiness"]))
    out.risks = pending_risks(result)
    out.modules = unfinished_modules(result)
    out.earned = _earned(result, catalog)
    return out


_TABLES = {t.name: t for t in ROW_TABLES}


@lru_cache(maxsize=4096)
def _milestone_json(level: str, threshold: float, attempts_needed: int | None) -> str:
    # a few dozen distinct milestones among a million skill rows: each written once
    return to_json({"level": level, "threshold": threshold, "attempts_needed": attempts_needed},
                   indent=None, ascii_only=True)


def peer_rows(analysis) -> list[tuple]:
    """`peer_tasks` rows (module_id, task_id, learner_id, first_at) of the learners of
    `analysis`: each module they touched (task_id "", with their first event in it) and each task."""
    p = analysis.prepared
    ev = p.events
    n_modules = max(len(p.modules), 1)
    pair = ev["learner_idx"].to_numpy().astype(np.int64) * n_modules + ev["module_idx"].to_numpy()
    # events are in time order per learner: a pair's first row is its first event
    pairs, first = np.unique(pair, return_index=True)
    rows = list(zip(p.modules[pairs % n_modules], [""] * len(pairs), p.learners[pairs // n_modules],
                    values(ev["ts"].iloc[first])))
    t = analysis.tasks
    rows += zip(p.modules[t["module_idx"].to_numpy()], t["task_id"], p.learners[t["learner_idx"].to_numpy()],
                [None] * len(t))
    return rows


def _earned(result, catalog: Catalog) -> list[tuple[str, str, str]]:
    """Every achievement the learners have earned by as_of, with the satisfying event's time;
    the writer keeps those not stored yet (an unlock is never taken away nor moved)."""
    if not catalog.achievements:
        return []
    evaluated = evaluate(result.prepared, catalog.achievements, current_overrides(result))
    earned = evaluated[evaluated["earned_at"].notna()]
    return [(learner, aid, stored_time(at))
            for learner, aid, at in zip(earned["learner_id"], earned["achievement_id"], earned["earned_at"])]
