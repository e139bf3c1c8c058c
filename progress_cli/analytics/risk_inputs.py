"""The inputs of the risk model (analytics/risk.py), from an analysis, for many learners at once."""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

import numpy as np

from progress_cli.analytics import _groups as g
from progress_cli.analytics import dated, rules
from progress_cli.analytics.analysis import Analysis
from progress_cli.analytics.risk import (
    PRACTICE_WEEKS, RECENT_SCORES, ModulePeers, PendingRisk, RiskInputs, complete_risks, module_risk, pending_inputs,
)
from progress_cli.analytics.rows import by_learner, daily_by_learner, rows

_EPOCH = dt.date(1970, 1, 1)


def module_risks(analysis: Analysis, peers: Mapping[str, ModulePeers]) -> dict[str, list[dict]]:
    """{learner_id: [module risk, ...]} in the order of `analysis.modules` (catalog first);
    learners without a started, unfinished module have no entry."""
    return risks_by_learner(risk_inputs(analysis, peers))


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


def pending_risks(analysis: Analysis) -> list[PendingRisk]:
    """A PendingRisk per (learner, module) started and not completed, in the order of
    `analysis.modules`: everything but what the peers decide. The same figures as `status`
    reads from one learner's stored rows (`risk.learner_inputs`)."""
    p = analysis.prepared
    ev = p.events
    if ev.empty:
        return []
    today = _EPOCH + dt.timedelta(days=int(p.today))
    n_mod = max(len(p.modules), 1)
    pair = ev["learner_idx"].to_numpy().astype(np.int64) * n_mod + ev["module_idx"].to_numpy()
    last_day: dict[int, int] = {}
    for key, day in zip(pair.tolist(), ev["day_num"].to_numpy().tolist()):
        last_day[key] = max(last_day.get(key, day), day)
    recent = _recent_scores(ev, n_mod)
    touched: dict[int, set] = {}
    t = analysis.tasks
    for key, task in zip(t["learner_idx"].to_numpy() * n_mod + t["module_idx"].to_numpy(), t["task_id"]):
        touched.setdefault(int(key), set()).add(task)
    days = daily_by_learner(analysis.daily, ["practice_minutes"])
    known = dict(zip(analysis.overall["learner_id"], analysis.overall["total_time_s"].to_numpy() > 0))
    learner_index = {lid: i for i, lid in enumerate(p.learners)}
    module_index = {mid: i for i, mid in enumerate(p.modules)}
    out = []
    for learner, modules in by_learner(rows(analysis.modules, ["learner_id", "module_id", "tasks_total",
                                                                "completed_tasks", "completion_rate"])).items():
        base = learner_index[learner] * n_mod
        keys = {m["module_id"]: base + module_index[m["module_id"]] for m in modules}
        practice = days.get(learner, [])
        out += pending_inputs(
            learner, modules, catalog=p.catalog, today=today,
            last_days={m: _EPOCH + dt.timedelta(days=last_day[k]) for m, k in keys.items() if k in last_day},
            recent_scores={m: recent[k] for m, k in keys.items() if k in recent},
            touched={m: touched[k] for m, k in keys.items() if k in touched},
            practice_minutes=dated.recent_practice_minutes(practice, p.today, PRACTICE_WEEKS) if known.get(learner) else None)
    return out


def _recent_scores(ev, n_mod: int) -> dict[int, float]:
    """{learner_idx * n_mod + module_idx: `risk.recent_score` of the pair}, every pair at once."""
    rows_ = np.flatnonzero(ev["is_attempt"].to_numpy())
    if not len(rows_):
        return {}
    pair = ev["learner_idx"].to_numpy()[rows_].astype(np.int64) * n_mod + ev["module_idx"].to_numpy()[rows_]
    order = np.argsort(pair, kind="stable")  # rows are in attempt order; stable keeps it per pair
    pair, score = pair[order], ev["score"].to_numpy()[rows_][order]
    keep = g.rank_from_end(*g.segments(pair)) < RECENT_SCORES
    pair, score = pair[keep], score[keep]
    _, starts, counts = g.segments(pair)
    means = g.segment_sums(score, starts) / counts.astype(float)
    return dict(zip(pair[starts].tolist(), means.tolist()))

