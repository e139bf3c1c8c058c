"""Risk of not completing a started module in time (DESIGN 5.7). Pure (numpy for the rounding).

For each learner and each module they have started (any event in it) and not completed
(completion_rate < 100), the probability that they will not complete it by the module's
`target_date`, or within HORIZON_DAYS of as_of when it has none, from what is known at
as_of. A logistic model over four inputs:

- tasks due by now not started: a task is due when at least half of the learners who
  started the module have touched it (any event on it). With fewer than MIN_PEERS such
  learners, the share of the module's time elapsed decides instead: the first
  floor(elapsed x tasks) catalog tasks are due, the time running from the module's first
  event (anyone's) to the target date. Input: the share of the due tasks the learner has not
  touched.
- recent scores against the pass mark: the mean of the last RECENT_SCORES scores in the
  module minus the pass mark, per 10 points (no score yet: at the pass mark).
- days since the learner's last activity in the module: ln(1 + days).
- practice against the weekly goal: the share of PRACTICE_WEEKS x weekly_goal_minutes not
  practised in the last PRACTICE_WEEKS weeks (any module). Neutral (0) when the catalog
  sets no goal or the learner's events carry no practice time at all.

A module whose target date has passed unfinished has risk 1. The coefficients of the first
three inputs and the intercept were fitted on OULAD (module presentations cut at day 100,
outcome Fail or Withdrawn) by `bench/risk_backtest.py --fit`; OULAD has no practice time,
so the practice coefficient is set by hand (README, "Learners at risk").

`reasons` names the inputs that raise the risk most above an on-track learner (every due
task touched, scores REFERENCE_MARGIN above the pass mark, active REFERENCE_IDLE_DAYS ago,
the practice goal met), in words with their numbers, at most MAX_REASONS.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

import numpy as np

from progress_cli.analytics import _groups as g
from progress_cli.analytics import rules
from progress_cli.catalog import DEFAULT_PASS_MARK, Catalog

HORIZON_DAYS = 84  # without a target date: "within 12 weeks of as_of"
MIN_PEERS = 5  # learners in a module before "most peers touched it" makes a task due
DUE_SHARE = 0.5
RECENT_SCORES = 5
PRACTICE_WEEKS = 4
AT_RISK = 0.5

# Log-odds coefficients (bench/risk_backtest.py --fit on OULAD; README "Learners at risk").
INTERCEPT = -0.0925
PER_NOT_STARTED_SHARE = 4.4408  # all due tasks untouched: +4.4
PER_10_POINTS = -0.4963  # recent mean 10 points further above the pass mark
PER_LN_IDLE_DAY = 0.2298  # ln(1 + days since the last activity in the module)
PER_PRACTICE_SHORTFALL = 0.5  # set by hand: nothing practised in 4 weeks against a goal

REFERENCE_MARGIN = 10.0  # points above the pass mark of an on-track learner
REFERENCE_IDLE_DAYS = 7
MIN_REASON = 0.2  # log-odds; smaller pushes are not worth a reason
MAX_REASONS = 3


@dataclass(frozen=True)
class ModulePeers:
    """What the whole store (every learner, up to as_of) says about one module."""

    learners: int  # learners with an event in the module
    first_day: dt.date | None  # local day of the module's first event, anyone's
    task_learners: Mapping[str, int]  # task_id -> learners with an event on it


@dataclass(frozen=True)
class RiskInputs:
    """One learner's figures in one started, unfinished module."""

    learner_id: str
    module_id: str
    today: dt.date
    target_date: dt.date | None
    tasks_total: int
    completed_tasks: int
    due: int  # tasks due by now
    due_not_started: int  # of those, the ones the learner has not touched
    recent_score: float | None  # mean of the last RECENT_SCORES scores in the module
    pass_mark: float
    idle_days: int  # local days since the learner's last event in the module
    practice_minutes: float | None  # last PRACTICE_WEEKS weeks; None: no practice time known
    goal_minutes: float  # PRACTICE_WEEKS x weekly goal (0: no goal)


def due_tasks(tasks: list[str], peers: ModulePeers | None, today: dt.date,
              target_date: dt.date | None, *, ordered: bool) -> set[str]:
    """The module's tasks due by `today`: those most peers have touched; with fewer than
    MIN_PEERS peers, the share of the module's time elapsed says how many of the first tasks
    of an `ordered` list (the catalog's) are due."""
    if peers is None:
        return set()
    if peers.learners >= MIN_PEERS:
        listed = set(tasks)
        return {t for t, n in peers.task_learners.items() if t in listed and round(n / peers.learners, 9) >= DUE_SHARE}
    if not ordered or not tasks or peers.first_day is None:
        return set()
    end = target_date or today + dt.timedelta(days=HORIZON_DAYS)
    span = (end - peers.first_day).days
    elapsed = 1.0 if span <= 0 else min(max((today - peers.first_day).days / span, 0.0), 1.0)
    return set(tasks[:math.floor(round(elapsed * len(tasks), 9))])


@dataclass(frozen=True)
class PendingRisk:
    """A learner's RiskInputs for one module before the peers are known (`due` and
    `due_not_started` still 0), with the tasks they have touched in it: a recompute of every
    learner gathers the peers from the same pass (services/recompute.py)."""

    inputs: RiskInputs
    touched: frozenset[str]


def learner_inputs(learner_id: str, modules: list[Mapping], *, catalog: Catalog, peers: Mapping[str, ModulePeers],
                   today: dt.date, last_days: Mapping[str, dt.date], recent_scores: Mapping[str, float],
                   touched: Mapping[str, set], practice_minutes: float | None,
                   due_cache: dict[str, set] | None = None) -> list[RiskInputs]:
    """One learner's RiskInputs: `pending_inputs` with the tasks due among `peers` (as of the
    same day); `due_cache` keeps each module's due tasks across learners."""
    pending = pending_inputs(learner_id, modules, catalog=catalog, today=today, last_days=last_days,
                             recent_scores=recent_scores, touched=touched, practice_minutes=practice_minutes)
    return complete_risks(pending, peers, catalog, due_cache)


def pending_inputs(learner_id: str, modules: list[Mapping], *, catalog: Catalog, today: dt.date,
                   last_days: Mapping[str, dt.date], recent_scores: Mapping[str, float],
                   touched: Mapping[str, set], practice_minutes: float | None) -> list[PendingRisk]:
    """One learner's PendingRisk per module of `modules` (rows with module_id, tasks_total,
    completed_tasks, completion_rate, in their order) started (`last_days` has the local day of
    the learner's last event in it) and not completed (completion_rate < 100; modules without
    tasks are left out). `recent_scores`: the mean of each module's last RECENT_SCORES scores;
    `touched`: the tasks the learner has an event on, per module; `practice_minutes`: the last
    PRACTICE_WEEKS weeks', None when no practice time is known."""
    goal = float(PRACTICE_WEEKS * catalog.weekly_goal_minutes)
    out = []
    for row in modules:
        mid, rate = row["module_id"], row["completion_rate"]
        if mid not in last_days or rate is None or rate != rate or rules.rounded(rate) >= 100:
            continue
        module = catalog.module(mid)
        out.append(PendingRisk(RiskInputs(
            learner_id=learner_id, module_id=mid, today=today, target_date=module.target_date if module else None,
            tasks_total=int(row["tasks_total"]), completed_tasks=int(row["completed_tasks"]), due=0, due_not_started=0,
            recent_score=recent_scores.get(mid), pass_mark=float(module.pass_mark if module else DEFAULT_PASS_MARK),
            idle_days=(today - last_days[mid]).days, practice_minutes=practice_minutes, goal_minutes=goal,
        ), frozenset(touched.get(mid, ()))))
    return out


def complete_risks(pending: Iterable[PendingRisk], peers: Mapping[str, ModulePeers], catalog: Catalog,
                   due_cache: dict[str, set] | None = None) -> list[RiskInputs]:
    """The RiskInputs of `pending`, with the tasks due by now among the peers."""
    due_cache = {} if due_cache is None else due_cache
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


def recent_score(scores: np.ndarray) -> float | None:
    """The mean of a module's last RECENT_SCORES scores (attempt order), None without any;
    summed as `risk_inputs` sums every learner's at once."""
    if not len(scores):
        return None
    last = np.asarray(scores, dtype=float)[-RECENT_SCORES:]
    return float(g.segment_sums(last, np.array([0]))[0] / len(last))


def _terms(x: RiskInputs) -> dict[str, float]:
    """Each input's log-odds contribution, and the same for an on-track learner's value."""
    not_started = x.due_not_started / x.due if x.due else 0.0
    margin = (x.recent_score if x.recent_score is not None else x.pass_mark) - x.pass_mark
    shortfall = 0.0
    if x.practice_minutes is not None and x.goal_minutes > 0:
        shortfall = max(0.0, 1.0 - x.practice_minutes / x.goal_minutes)
    return {
        "not_started": PER_NOT_STARTED_SHARE * not_started,
        "score": PER_10_POINTS * margin / 10.0,
        "idle": PER_LN_IDLE_DAY * math.log1p(max(x.idle_days, 0)),
        "practice": PER_PRACTICE_SHORTFALL * shortfall,
    }


_REFERENCE = {
    "not_started": 0.0,
    "score": PER_10_POINTS * REFERENCE_MARGIN / 10.0,
    "idle": PER_LN_IDLE_DAY * math.log1p(REFERENCE_IDLE_DAYS),
    "practice": 0.0,
}


def module_risk(x: RiskInputs) -> dict:
    """{"module_id", "risk", "reasons", "target_date"} for one started, unfinished module."""
    target = x.target_date.isoformat() if x.target_date else None
    if x.target_date is not None and x.today > x.target_date:
        reason = f"target date {target} passed with {x.completed_tasks} of {x.tasks_total} tasks done"
        return {"module_id": x.module_id, "risk": 1.0, "reasons": [reason], "target_date": target}
    terms = _terms(x)
    z = INTERCEPT + sum(terms.values())
    pushes = sorted(((terms[k] - _REFERENCE[k], k) for k in terms), reverse=True)
    reasons = [_reason(k, x) for push, k in pushes if push >= MIN_REASON][:MAX_REASONS]
    return {"module_id": x.module_id, "risk": 1.0 / (1.0 + math.exp(-z)), "reasons": reasons, "target_date": target}


def _reason(kind: str, x: RiskInputs) -> str:
    if kind == "not_started":
        return f"{x.due_not_started} of {x.due} due tasks not started"
    if kind == "score":
        if x.recent_score is None:
            return f"no score yet (pass mark {x.pass_mark:g})"
        above = x.recent_score - x.pass_mark
        if round(above, 9) < 0:
            return f"recent scores {x.recent_score:.0f}, pass mark {x.pass_mark:g}"
        if f"{above:.0f}" == "0":  # not "only 0 above"
            return f"recent scores {x.recent_score:.0f}, at the pass mark"
        return f"recent scores {x.recent_score:.0f}, only {above:.0f} above the pass mark"
    if kind == "idle":
        return f"no activity in {x.idle_days} days"
    return f"{x.practice_minutes:.0f} of {x.goal_minutes:.0f} min practised in {PRACTICE_WEEKS} weeks"


def learner_risk(modules: list[dict]) -> dict:
    """A learner's risk: the highest of their modules' (None without a started, unfinished
    module), `at_risk`, and the reasons and module of that highest one."""
    if not modules:
        return {"risk": None, "at_risk": False, "module_id": None, "reasons": []}
    top = modules[0]
    for m in modules[1:]:  # ties go to the first module, in the order given (the catalog's)
        if m["risk"] > top["risk"]:
            top = m
    return {"risk": top["risk"], "at_risk": is_at_risk(top["risk"]), "module_id": top["module_id"],
            "reasons": list(top["reasons"])}


def is_at_risk(risk: float | None) -> bool:
    return risk is not None and round(risk, 9) >= AT_RISK

