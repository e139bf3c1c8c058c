"""The inputs of the risk model (analytics/risk.py), from an analysis, for many learners at once."""

from __future__ import annotations

import datetime as dt
from typing import Mapping

import numpy as np
import pandas as pd

from progress_cli.analytics import _groups as g
from progress_cli.analytics import rules
from progress_cli.analytics.analysis import Analysis
from progress_cli.analytics.periods import as_dates
from progress_cli.analytics.risk import PRACTICE_WEEKS, RECENT_SCORES, ModulePeers, RiskInputs, due_tasks, module_risk

_EPOCH = dt.date(1970, 1, 1)


def module_risks(analysis: Analysis, peers: Mapping[str, ModulePeers]) -> dict[str, list[dict]]:
    """{learner_id: [module risk, ...]} in the order of `analysis.modules` (catalog first);
    learners without a started, unfinished module have no entry."""
    out: dict[str, list[dict]] = {}
    for x in risk_inputs(analysis, peers):
        out.setdefault(x.learner_id, []).append(module_risk(x))
    return out


def unfinished_modules(analysis: Analysis) -> list[str]:
    """The modules whose peers `risk_inputs` may weigh: those with tasks that some learner of
    the analysis has not completed."""
    m = analysis.modules
    rates = m["completion_rate"].to_numpy(dtype=float)
    return sorted({mid for mid, rate in zip(m["module_id"], rates) if not np.isnan(rate) and rules.rounded(rate) < 100})


def risk_inputs(analysis: Analysis, peers: Mapping[str, ModulePeers]) -> list[RiskInputs]:
    """One RiskInputs per (learner, module) started (any event) and not completed
    (completion_rate < 100; modules without tasks are left out). `peers` comes from the
    whole store up to the same as_of (services: `store.queries.module_peers`)."""
    p = analysis.prepared
    ev = p.events
    if ev.empty:
        return []
    catalog = p.catalog
    today = _EPOCH + dt.timedelta(days=int(p.today))
    lrn, mod = ev["learner_idx"].to_numpy(), ev["module_idx"].to_numpy()
    n_mod = max(len(p.modules), 1)
    pair = lrn.astype(np.int64) * n_mod + mod
    last_day = pd.Series(ev["day_num"].to_numpy()).groupby(pair).max()
    recent_by_pair = _recent_scores(ev, n_mod)
    touched: dict[int, set] = {}
    t = analysis.tasks
    for key, task in zip(t["learner_idx"].to_numpy() * n_mod + t["module_idx"].to_numpy(), t["task_id"]):
        touched.setdefault(int(key), set()).add(task)
    practice = _practice_minutes(analysis, p.today)
    known = dict(zip(analysis.overall["learner_id"], analysis.overall["total_time_s"].to_numpy() > 0))
    learner_index = {lid: i for i, lid in enumerate(p.learners)}
    module_index = {mid: i for i, mid in enumerate(p.modules)}
    goal = PRACTICE_WEEKS * catalog.weekly_goal_minutes
    due_cache: dict[str, set] = {}

    out = []
    m = analysis.modules
    for lid, mid, total, done, rate in zip(m["learner_id"], m["module_id"], m["tasks_total"],
                                           m["completed_tasks"], m["completion_rate"].to_numpy(dtype=float)):
        key = learner_index[lid] * n_mod + module_index[mid]
        if key not in last_day.index or np.isnan(rate) or rules.rounded(rate) >= 100:
            continue
        module = catalog.module(mid)
        target = module.target_date if module else None
        if mid not in due_cache:
            tasks = [task.id for task in module.tasks] if module else sorted(peers[mid].task_learners if mid in peers else [])
            due_cache[mid] = due_tasks(tasks, peers.get(mid), today, target, ordered=module is not None)
        due = due_cache[mid]
        out.append(RiskInputs(
            learner_id=lid, module_id=mid, today=today, target_date=target,
            tasks_total=int(total), completed_tasks=int(done),
            due=len(due), due_not_started=len(due - touched.get(key, set())),
            recent_score=recent_by_pair.get(key), pass_mark=float(p.pass_marks[module_index[mid]]),
            idle_days=int(p.today - last_day[key]),
            practice_minutes=practice.get(lid, 0.0) if known.get(lid) else None,
            goal_minutes=float(goal),
        ))
    return out


def _recent_scores(ev: pd.DataFrame, n_mod: int) -> dict[int, float]:
    """{learner_idx * n_mod + module_idx: mean of the pair's last RECENT_SCORES scores}."""
    rows = np.flatnonzero(ev["is_attempt"].to_numpy())
    if not len(rows):
        return {}
    pair = ev["learner_idx"].to_numpy()[rows].astype(np.int64) * n_mod + ev["module_idx"].to_numpy()[rows]
    order = np.argsort(pair, kind="stable")  # rows are in attempt order; stable keeps it per pair
    pair, score = pair[order], ev["score"].to_numpy()[rows][order]
    keep = g.rank_from_end(*g.segments(pair)) < RECENT_SCORES
    means = pd.Series(score[keep]).groupby(pair[keep]).mean()
    return {int(k): float(v) for k, v in means.items()}


def _practice_minutes(analysis: Analysis, today: int) -> dict[str, float]:
    """Practice minutes of each learner over the last PRACTICE_WEEKS weeks, today included."""
    days = analysis.daily
    if days.empty:
        return {}
    first = as_dates(np.array([today - 7 * PRACTICE_WEEKS + 1]))[0]
    recent = days[days["day"].to_numpy() >= first]
    return {k: float(v) for k, v in recent.groupby("learner_id")["practice_minutes"].sum().items()}
