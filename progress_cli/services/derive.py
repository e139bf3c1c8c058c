"""The derived rows of a batch of learners, from their events: everything `recompute` writes
for them except the risk, which waits for the peers (services/recompute.py).

It reads nothing from the store and returns plain rows, tuples in each table's column order,
so it runs the same in recompute's own process or in a worker process (services/workers.py),
and what comes back pickles small and goes to the one writer as it is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from progress_cli.analytics import analyze
from progress_cli.analytics.risk import PendingRisk
from progress_cli.analytics.risk_inputs import pending_risks, unfinished_modules
from progress_cli.catalog import Catalog
from progress_cli.services.calibration import sample_rows
from progress_cli.services.derived_rows import Stamp, derived_rows
from progress_cli.services.frames import events_frame, values
from progress_cli.services.risk import add_peers
from progress_cli.store.derived import ACHIEVEMENT_PROGRESS, DAILY_ACTIVITY, FORECAST_SAMPLES, LEARNER_PROGRESS, \
    MODULE_PROGRESS, PEER_TASKS, SESSIONS, SKILL_PROGRESS
from progress_cli.store.queries import EVENT_FRAME_COLUMNS

# Written in this order; module_risk follows once the peers are known.
ROW_TABLES = [LEARNER_PROGRESS, MODULE_PROGRESS, SKILL_PROGRESS, DAILY_ACTIVITY, SESSIONS, ACHIEVEMENT_PROGRESS,
              FORECAST_SAMPLES, PEER_TASKS]
_LEARNER = EVENT_FRAME_COLUMNS.index("learner_id")
_EARNED = [c.key for c in ACHIEVEMENT_PROGRESS.columns].index("earned_at")


@dataclass
class Derived:
    """What one batch of learners contributes to a recompute."""

    rows: dict[str, list[tuple]] = field(default_factory=dict)  # table name -> rows (ROW_TABLES)
    readiness: dict[tuple[str, str], str] = field(default_factory=dict)  # (learner, module) -> level
    earned: list[tuple[str, str, str]] = field(default_factory=list)  # (learner, achievement, earned_at) as of now
    risks: list[PendingRisk] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)  # the modules whose peers its risks weigh
    peers: dict[str, dict[str, Any]] = field(default_factory=dict)  # these learners' share of queries.module_peers


def derive(events: list[tuple], *, catalog: Catalog, tz: ZoneInfo, as_of: dt.datetime, stamp: Stamp) -> Derived:
    """The derived rows of the learners of `events` (store rows, `queries.EVENT_FRAME_COLUMNS`)."""
    if not events:
        return Derived()
    # what recompute stores needs neither the per-module skills nor the weeks and months
    result = analyze(events_frame(events), catalog, tz.key, as_of, skip=("module_skills", "weekly", "monthly"))
    out = Derived()
    counts = Counter(e[_LEARNER] for e in events)
    tables = derived_rows(result, catalog, as_of, stamp, counts, tuples=True)
    out.rows = {table.name: rows for table, rows in tables.items()}
    out.rows[FORECAST_SAMPLES.name] = sample_rows(result)
    out.rows[PEER_TASKS.name] = peers = peer_rows(result)
    add_peers(out.peers, peers)
    modules = result.modules
    out.readiness = dict(zip(zip(modules["learner_id"], modules["module_id"]), modules["readiness"]))
    out.risks = pending_risks(result)
    out.modules = unfinished_modules(result)
    # every achievement earned by as_of, with the satisfying event's time; the writer keeps
    # those not stored yet (an unlock is never taken away nor moved)
    out.earned = [(r[0], r[1], r[_EARNED]) for r in tables[ACHIEVEMENT_PROGRESS] if r[_EARNED] is not None]
    return out


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
