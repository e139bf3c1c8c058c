"""The completion forecasts of DESIGN 5.6 (the catalog's, and each started module's) from one
learner's plain rows: what `insights`, reports and `status` show, whichever way they read the
learner (an analysis, or the stored rows and `LearnerEvents`). No pandas."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from progress_cli.analytics import forecast as fc
from progress_cli.analytics.calibration import pick


@dataclass(frozen=True)
class TaskFacts:
    """One task an event of the learner names, as the forecast reads it."""

    module_id: str
    completed_day: int | None  # local day of its first completion
    counted: bool  # counts toward completion: a catalog task of its module (every task, without a catalog)
    attempted: bool  # the learner has a scored attempt on it


@dataclass(frozen=True)
class CompletionInputs:
    modules: list[Mapping]  # module rows (module_id, in_catalog, tasks_total, completed_tasks), catalog order
    tasks: list[TaskFacts]
    module_scores: Mapping[str, np.ndarray]  # module -> its attempts' scores, oldest first
    pass_marks: Mapping[str, float]  # module -> pass mark (every module of `modules`)
    started: set[str]  # modules with an event
    retries: bool  # a task attempted again after a failed attempt on it
    with_catalog: bool


def completion_forecasts(inputs: CompletionInputs, window: fc.Window, seed: Callable[..., int],
                         calibrations: dict | None = None, *, per_module: bool = True) -> dict:
    """{"completion": F, "modules": {module_id: F}}: overall, and per module the learner has
    started. `seed(*parts)` seeds each forecast (`forecast.seed_for` of the learner and as_of);
    `calibrations` (`calibration.Calibrations`, as recompute stored them) set the intervals;
    None keeps the bootstrap without a word (the backtest's "before"). `per_module` False
    leaves "modules" empty (status and reports show the overall forecast only, and each
    module's costs a simulation when not calibrated)."""
    modules, chances, risks = {}, [], []
    finished_days: list[int] = []
    total = completed = 0
    for row in inputs.modules:
        if inputs.with_catalog and not row["in_catalog"]:
            continue
        total, completed = total + int(row["tasks_total"]), completed + int(row["completed_tasks"])
        mine = [t for t in inputs.tasks if t.module_id == row["module_id"]]
        done_days = [t.completed_day for t in mine if t.counted and t.completed_day is not None]
        finished_days += done_days
        if row["module_id"] not in inputs.started:
            continue
        remaining = int(row["tasks_total"] - row["completed_tasks"])
        chance, risk = fc.finish_chance(
            stuck=sum(1 for t in mine if t.counted and t.completed_day is None and t.attempted),
            retries=inputs.retries, remaining_pass_marks=[inputs.pass_marks[row["module_id"]]] * remaining,
            scores=inputs.module_scores.get(row["module_id"], np.zeros(0)))
        if remaining > 0:
            chances.append(chance)
            risks.append(risk)
        if per_module:
            modules[row["module_id"]] = fc.completion_forecast(
                completed_days=np.array(done_days, dtype=np.int64), remaining=remaining, total=int(row["tasks_total"]),
                window=window, seed=seed("module", row["module_id"]), p_finish=chance, risk=risk,
                **_calibrated(calibrations, row["module_id"]))
    risk = next((r for c, r in sorted(zip(chances, risks), key=lambda x: x[0]) if r), None)
    overall = fc.completion_forecast(completed_days=np.array(finished_days, dtype=np.int64), remaining=total - completed,
                                     total=total, window=window, seed=seed("completion"),
                                     p_finish=float(np.prod(chances)) if chances else 1.0, risk=risk,
                                     **_calibrated(calibrations, None))
    return {"completion": overall, "modules": modules}


def _calibrated(calibrations: dict | None, module_id: str | None) -> dict:
    """The calibration keywords of `forecast.completion_forecast` for one forecast."""
    if calibrations is None:
        return {}
    return {"calibration": functools.partial(pick, calibrations, module_id)}
