"""The inputs of the risk model (analytics/risk.py), from an analysis, for many learners at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from progress_cli.analytics import _groups as g
from progress_cli.analytics import rules
from progress_cli.analytics.analysis import Analysis
from progress_cli.analytics.periods import as_dates
from progress_cli.analytics.risk import PRACTICE_WEEKS, RECENT_SCORES, ModulePeers, RiskInputs, due_tasks, module_risk
from progress_cli.catalog import Catalog

_EPOCH = dt.date(1970, 1, 1)


def module_risks(analysis: Analysis, peers: Mapping[str, ModulePeers]) -> dict[str, list[dict]]:
    """{learner_id: [module risk, ...]} in the order of `analysis.modules` (catalog first);
    learners without a started, unfinished module have no entry."""
    return risks_by_learner(complete_risks(pending_risks(analysis), peers, analysis.prepared.catalog))


def risks_by_learner(inputs: Iterable[RiskInputs]) -> dict[str, list[dict]]:
    """{learner_id: [module risk, ...]}, in the order of `inputs`."""
    out: dict[str, list[dict]] = {}
    for x in inputs:
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
    return complete_risks(pending_risks(analysis), peers, analysis.prepared.catalog)


@dataclass(frozen=True)
class PendingRisk:
    """A learner's RiskInputs for one module before the peers are known (`due` and
    `due_not_started` still 0), with the tasks they have touched in it: a recompute of every
    learner gathers the peers from the same pass (services/recompute.py)."""

    inputs: RiskInputs
    touched: frozenset[str]


def complete_risks(pending: Iterable[PendingRisk], peers: Mapping[str, ModulePeers],
                   catalog: Catalog) -> list[RiskInputs]:
    """The RiskInputs of `pending`, with the tasks due by now among the peers."""
    due_cache: dict[str, set] = {}
    out = []
    for p in pending:
        x = p.inputs
        mid = x.module_id
        if mid not in due_cache:
            module = catalog.module(mid)
            tasks = [task.id for task in module.tasks] if module else sorted(peers[mid].task_learners if mid in peers else [])
            due_cache[mid] = due_tasks(tasks, peers.get(mid), x.today, x.target_date, ordered=module is not None)
        due = due_cache[mid]
        out.append(replace(x, due=len(due), due_not_started=len(due - p.touched)))
    return out


def pending_risks(analysis: Analysis) -> list[PendingRisk]:
    """A PendingRisk per (learner, module) started and not completed, in the order of
    `analysis.modules`; everything but what the peers decide."""
    p = analysis.prepared
    ev = p.events
    if ev.empty:
        return []
    catalog = p.catalog
    today = _EPOCH + dt.timedelta(days=int(p.today))
    lrn, mod = ev["learner_idx"].to_numpy(), ev["module_idx"].to_numpy()
    n_mod = max(len(p.modules), 1)
    pair = lrn.astype(np.int64) * n_mod + mod
    last = pd.Series(ev["day_num"].to_numpy()).groupby(pair).max()
    last_day = dict(zip(last.index.tolist(), last.to_numpy().tolist()))  # dict look-ups: a pandas one per row costs 10x
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

    out = []
    m = analysis.modules
    rate = m["completion_rate"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        unfinished = (rules.rounded(rate) < 100).tolist()  # False for NaN: modules without tasks
    for lid, mid, total, done, open_ in zip(m["learner_id"].tolist(), m["module_id"].tolist(),
                                            m["tasks_total"].tolist(), m["completed_tasks"].tolist(), unfinished):
        key = learner_index[lid] * n_mod + module_index[mid]
        if not open_ or key not in last_day:
            continue
        module = catalog.module(mid)
        out.append(PendingRisk(RiskInputs(
            learner_id=lid, module_id=mid, today=today, target_date=module.target_date if module else None,
            tasks_total=int(total), completed_tasks=int(done), due=0, due_not_started=0,
            recent_score=recent_by_pair.get(key), pass_mark=float(p.pass_marks[module_index[mid]]),
            idle_days=int(p.today - last_day[key]),
            practice_minutes=practice.get(lid, 0.0) if known.get(lid) else None,
            goal_minutes=float(goal),
        ), frozenset(touched.get(key, ()))))
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
