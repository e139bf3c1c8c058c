"""Calibrated completion intervals (DESIGN 5.6): the spread of the forecasts' real errors.

A completion forecast says: the tasks left take `estimate` = ceil(remaining / pace) days
(`forecast.completion_forecast`). How wrong is that in practice? The store knows. Every
learner who finished a module (or the whole catalog) was, on each earlier day, a forecast
that could have been made. `completion_samples` replays those forecasts: for each set of
tasks finished by as_of, it cuts the learner's history once a week (local days whose number
is a multiple of 7, from the first event on the set's module to the day before the finish)
and, where the forecast rules give a date on that day (`forecast.completion_estimate_days`),
records the estimate and the actual days from the cut to the finish.

`calibrate` turns the ratios actual / estimate into quantiles, as known on a day (replays
whose finish came by then, watched for twice their estimate), per scope (module forecasts
share one scope: every module's samples; the catalog's forecast has its own) and per
horizon (how far out the estimate is: 1-7, 8-28, 29-91, 92+ days, since a forecast a week
out errs differently from one three months out), plus one row per scope over all horizons.
The 80% interval of a forecast is then today + estimate x (the 10th, the 90th percentile of
the ratios of its scope and horizon): a split-conformal interval (Mondrian by horizon) whose
calibration set is the store's own finished work, on a multiplicative scale. A row counts
only with `MIN_COMPLETIONS` finished sets of tasks behind it (`pick`); the horizon's row is
preferred, then the scope's row over all horizons; with fewer, the forecast keeps the
bootstrap interval and its basis says so.

Pure: frames in, frames and plain objects out. `recompute` stores the samples per learner
and the quantiles per scope and horizon.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from progress_cli.analytics import _groups as g
from progress_cli.analytics import forecast as fc
from progress_cli.json_output import to_json

if TYPE_CHECKING:  # pandas loads on use: `status` reads stored calibrations (`Calibration`, `pick`) without it
    import pandas as pd

    from progress_cli.analytics.analysis import Analysis

MIN_COMPLETIONS = 30  # finished sets of tasks a calibration needs (DESIGN 5.6's example)
CUT_EVERY_DAYS = 7  # replay a forecast once a week: samples stay few, and each finish still counts
FOLLOW_UP = 2  # a replay counts once the store has watched it for this many times its estimate
LEVELS = np.linspace(0.0, 1.0, 101)  # the quantiles kept: every percent, min and max included
OVERALL = "overall"  # the scope of the catalog's completion forecast
MODULES = "modules"  # the scope of every module's forecast
ALL = "all"  # the horizon of a scope's row over all horizons
HORIZONS = ((1, 7), (8, 28), (29, 91), (92, None))  # estimate days, inclusive
SAMPLE_COLUMNS = ["learner_id", "scope", "completed_day", "cut_day", "estimate_days", "actual_days"]


def module_scope(module_id: str) -> str:
    """The scope a module's samples are stored under (all of them calibrate MODULES)."""
    return f"module:{module_id}"


def horizon_of(estimate_days: int) -> str:
    """'1-7', '8-28', '29-91' or '92+': the horizon an estimate falls in."""
    for low, high in HORIZONS:
        if high is None or estimate_days <= high:
            return f"{low}+" if high is None else f"{low}-{high}"
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Calibration:
    """The quantiles of actual / estimated remaining days in one scope and horizon."""

    scope: str
    horizon: str
    completions: int  # finished sets of tasks (learner x module, or learners for overall)
    samples: int  # forecasts replayed from them
    quantiles: tuple[float, ...]  # at LEVELS

    def ratio(self, level: float) -> float:
        """The quantile at `level` (0..1), linear between the kept percents."""
        return float(np.interp(min(max(level, 0.0), 1.0), LEVELS, self.quantiles))

    def bounds(self, estimate_days: int, p_finish: float = 1.0) -> tuple[int, int]:
        """(low, high): days from today of the 80% interval around an estimate, at least 1
        (a finish comes after today). When only a share p_finish of futures finish at all,
        the 10th and 90th percentiles of all futures are those of the finishing ones at
        0.1 / p and 0.9 / p."""
        low = math.floor(estimate_days * self.ratio(fc.LOW_PERCENTILE / 100 / p_finish))
        high = math.ceil(estimate_days * self.ratio(fc.HIGH_PERCENTILE / 100 / p_finish))
        return max(low, 1), max(high, 1)

    def describe(self) -> str:
        what = "completions of the catalog" if self.scope == OVERALL else "module completions"
        horizon = "all horizons" if self.horizon == ALL else f"forecasts {self.horizon} days out"
        return (f"interval calibrated on {self.completions:,} past {what} ({self.samples:,} replayed forecasts, "
                f"{horizon}: actual/estimated time {self.ratio(0.1):.2f} to {self.ratio(0.9):.2f})")

    def as_row(self) -> dict:
        return {"scope": self.scope, "horizon": self.horizon, "completions": self.completions,
                "samples": self.samples, "quantiles": to_json([round(q, 6) for q in self.quantiles], indent=None, compact=True)}

    @classmethod
    def from_row(cls, row) -> "Calibration":
        return cls(scope=row["scope"], horizon=row["horizon"], completions=int(row["completions"]),
                   samples=int(row["samples"]), quantiles=tuple(json.loads(row["quantiles"])))


Calibrations = dict[tuple[str, str], Calibration]  # (scope, horizon) -> Calibration


def calibrate(samples: pd.DataFrame, today: int) -> Calibrations:
    """The calibrations of completion samples (columns SAMPLE_COLUMNS) as known on local day
    `today`, per (scope, horizon) and per (scope, ALL); combinations without samples are left
    out.

    Only finishes up to today are known, and only replays watched for FOLLOW_UP times their
    estimate count: a replay from last week whose set finished in time is in the store, one
    that will finish late is not yet, so the recent replays alone would say that forecasts
    come true early. Waiting twice the estimate keeps every finish up to twice as late as
    forecast."""
    import pandas as pd  # on use: see the imports

    out: Calibrations = {}
    estimate = samples["estimate_days"].to_numpy(dtype=np.int64)
    known = ((samples["completed_day"].to_numpy(dtype=np.int64) <= today)
             & (samples["cut_day"].to_numpy(dtype=np.int64) + FOLLOW_UP * estimate <= today))
    samples = samples[known]
    if samples.empty:
        return out
    estimate = samples["estimate_days"].to_numpy(dtype=np.int64)
    ratio = samples["actual_days"].to_numpy(dtype=float) / estimate
    stored_scope = samples["scope"].to_numpy(dtype=object)
    scope = np.where(stored_scope == OVERALL, OVERALL, MODULES)
    finished = pd.Series(samples["learner_id"].to_numpy(dtype=object) + "\x1f" + stored_scope)
    horizon = np.array([horizon_of(int(d)) for d in estimate], dtype=object)
    for name in (MODULES, OVERALL):
        in_scope = scope == name
        for label in (ALL, *sorted(set(horizon[in_scope]), key=_horizon_order)):
            rows = in_scope if label == ALL else in_scope & (horizon == label)
            if rows.any():
                out[(name, label)] = Calibration(
                    scope=name, horizon=label, completions=int(finished[rows].nunique()), samples=int(rows.sum()),
                    quantiles=tuple(float(q) for q in np.quantile(ratio[rows], LEVELS)))
    return out


def _horizon_order(label: str) -> int:
    return int(label.split("-")[0].rstrip("+"))


def pick(calibrations: Calibrations, module_id: str | None, estimate_days: int) -> tuple[Calibration | None, str]:
    """The calibration of a module's forecast (None: the catalog's) that is `estimate_days`
    out: its horizon's when MIN_COMPLETIONS completions stand behind it, else its scope's
    over all horizons; or None and a sentence saying why not."""
    scope = OVERALL if module_id is None else MODULES
    for horizon in (horizon_of(estimate_days), ALL):
        found = calibrations.get((scope, horizon))
        if found is not None and found.completions >= MIN_COMPLETIONS:
            return found, ""
    seen = calibrations[(scope, ALL)].completions if (scope, ALL) in calibrations else 0
    what = "completions of the whole catalog" if module_id is None else "module completions"
    return None, (f"interval not calibrated: {seen} past {what} in the store ({MIN_COMPLETIONS} needed), "
                  f"so it is a bootstrap of the recent pace")


def completion_samples(analysis: Analysis) -> pd.DataFrame:
    """Replayed forecasts of every set of tasks finished by as_of (columns SAMPLE_COLUMNS).

    Scopes: `module:<id>` for each module whose counted tasks (its catalog tasks; the tasks
    seen, without a catalog) were all completed, and `overall` for a learner who completed
    every catalog task. completed_day is the day the last of them was first completed.
    """
    import pandas as pd  # on use: see the imports

    p = analysis.prepared
    sets = _finished_sets(analysis, bool(p.catalog.modules))
    if not sets:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("learner_id", "scope") else np.int64)
                             for c in SAMPLE_COLUMNS})
    learner = np.array([s[0] for s in sets], dtype=np.int64)
    first = np.array([s[3] for s in sets], dtype=np.int64)
    completions = [np.sort(s[2]).astype(np.int64) for s in sets]
    finish = np.array([c[-1] for c in completions], dtype=np.int64)
    set_idx, cuts, estimates = _replay(analysis, learner, completions, finish, first)
    ok = estimates > 0
    set_idx, cuts, estimates = set_idx[ok], cuts[ok], estimates[ok]
    scopes = np.array([s[1] for s in sets], dtype=object)
    return pd.DataFrame({"learner_id": p.learners[learner[set_idx]], "scope": scopes[set_idx],
                         "completed_day": finish[set_idx], "cut_day": cuts, "estimate_days": estimates,
                         "actual_days": finish[set_idx] - cuts})


def _finished_sets(analysis: Analysis, with_catalog: bool) -> list[tuple[int, str, np.ndarray, int]]:
    """(learner_idx, scope, completion days of its tasks, the learner's first day on it) of
    every set of tasks finished by as_of; one pass over the task table, grouped by learner
    and module."""
    p = analysis.prepared
    t = analysis.tasks
    counted = t["catalog_task"].to_numpy() if with_catalog else np.ones(len(t), dtype=bool)
    rows = np.flatnonzero(counted)
    learner, module = t["learner_idx"].to_numpy()[rows], t["module_idx"].to_numpy()[rows]
    order = np.lexsort((module, learner))
    learner, module, day = learner[order], module[order], t["completed_day"].to_numpy()[rows][order]
    n_modules = max(len(p.modules), 1)
    key = learner.astype(np.int64) * n_modules + module
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.array([], dtype=np.int64)
    ends = np.r_[starts[1:], len(key)].astype(np.int64)
    done = np.add.reduceat((~np.isnan(day)).astype(np.int64), starts) if len(key) else np.array([], dtype=np.int64)
    totals = _totals(analysis, with_catalog, n_modules)
    first = _first_days(analysis, n_modules)
    out = []
    for i in np.flatnonzero(done == np.array([totals.get(int(k), -1) for k in key[starts]], dtype=np.int64)):
        k = int(key[starts[i]])
        out.append((int(learner[starts[i]]), module_scope(p.modules[k % n_modules]), day[starts[i]:ends[i]], first[k]))
    catalog_total = sum(len(m.tasks) for m in p.catalog.modules)
    if with_catalog and catalog_total:
        per_learner = np.bincount(learner, weights=~np.isnan(day), minlength=len(p.learners))
        everyone_first = p.events.groupby("learner_idx", sort=True)["day_num"].min()
        for lrn in np.flatnonzero(per_learner == catalog_total):
            lo, hi = np.searchsorted(learner, [lrn, lrn + 1])
            out.append((int(lrn), OVERALL, day[lo:hi], int(everyone_first[lrn])))
    return out


def _totals(analysis: Analysis, with_catalog: bool, n_modules: int) -> dict[int, int]:
    """learner_idx x n_modules + module_idx -> tasks counted for the module's completion
    (catalog modules only, with a catalog); modules without tasks are left out."""
    p = analysis.prepared
    m = analysis.modules
    if with_catalog:
        m = m[m["in_catalog"].to_numpy()]
    learner = np.searchsorted(p.learners, m["learner_id"].to_numpy(dtype=object))
    module = {mid: i for i, mid in enumerate(p.modules)}
    return {int(lrn) * n_modules + module[mid]: int(total) for lrn, mid, total in
            zip(learner, m["module_id"].to_numpy(dtype=object), m["tasks_total"].to_numpy()) if total > 0}


def _first_days(analysis: Analysis, n_modules: int) -> dict[int, int]:
    """learner_idx x n_modules + module_idx -> the local day of the learner's first event in it."""
    import pandas as pd  # on use: see the imports

    ev = analysis.prepared.events
    key = ev["learner_idx"].to_numpy().astype(np.int64) * n_modules + ev["module_idx"].to_numpy()
    first = pd.Series(ev["day_num"].to_numpy()).groupby(key, sort=False).min()
    return dict(zip(first.index.tolist(), first.to_numpy().tolist()))


def _active_days(analysis: Analysis) -> tuple[np.ndarray, np.ndarray]:
    """(learner_idx, local day number) of every active day, sorted by learner then day."""
    d = analysis.daily
    d = d[d["active"].to_numpy()]
    learner = np.searchsorted(analysis.prepared.learners, d["learner_id"].to_numpy(dtype=object))
    return learner, d["day"].to_numpy().astype("datetime64[D]").astype(np.int64)


def _replay(analysis: Analysis, learner: np.ndarray, completions: list[np.ndarray], finish: np.ndarray,
            first: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(set, cut day, estimate days) of every cut of every finished set of tasks (its
    learner, its completion days sorted, its last one, the learner's first day on it): cut
    once a week from `first` to the day before the finish, where the forecast rules give a
    date (0 where not). All sets in one vectorised pass (forecast.day_keys)."""
    first_cut = first + (-first) % CUT_EVERY_DAYS
    counts = np.maximum(-(-(finish - first_cut) // CUT_EVERY_DAYS), 0)  # ceil: the cuts before the finish
    set_idx = np.repeat(np.arange(len(finish)), counts)
    cuts = first_cut[set_idx] + CUT_EVERY_DAYS * g.position_within(set_idx)
    active_learner, active_day = _active_days(analysis)
    start, active = fc.window_starts(fc.day_keys(active_learner, active_day), fc.day_keys(learner[set_idx], cuts),
                                     np.searchsorted(active_learner, learner)[set_idx])
    sizes = np.array([len(c) for c in completions], dtype=np.int64)
    estimates = fc.completion_estimate_days(
        None, fc.day_keys(np.repeat(np.arange(len(finish)), sizes), np.concatenate(completions)), sizes[set_idx],
        fc.day_keys(set_idx, cuts), window=(fc.day_keys(set_idx, fc.key_days(start)), active),
        done_from=(np.cumsum(sizes) - sizes)[set_idx])
    return set_idx, cuts, estimates
