"""Completion forecasts of the backtest, before and after calibration, on the same cases.

Used by `forecast_backtest.py` (see its docstring for what is measured). `Calibrator` gives
each cut the calibration it may use without seeing the outcomes it is scored on; `Paired`
scores both intervals of each case.
"""

from __future__ import annotations

import collections
import datetime as dt
import statistics

import pandas as pd

from progress_cli.analytics.calibration import OVERALL, calibrate, module_scope

METHODS = ("before", "after")  # the bootstrap of the recent pace; the calibrated interval


class Calibrator:
    """The calibrations a forecast may use, from the completion samples of the whole data.

    `history`: what recompute would have stored on the cut day (the replays known then).
    `other-modules`: the replays of every other module, as a recompute at the end of the
    data knows them; no catalog-wide samples (the scored learner's own finish could be
    among them)."""

    def __init__(self, samples: pd.DataFrame, mode: str, data_end: int) -> None:
        self.samples, self.mode, self.data_end = samples, mode, data_end
        self._cache: dict = {}

    def __call__(self, cut_day: int, module_id: str | None):
        key = ("history", cut_day) if self.mode == "history" else ("other", module_id)
        if key not in self._cache:
            if self.mode == "history":
                self._cache[key] = calibrate(self.samples, cut_day)
            else:
                scope = self.samples["scope"].to_numpy(dtype=object)
                rows = (scope != OVERALL) & (scope != (module_scope(module_id) if module_id else None))
                self._cache[key] = calibrate(self.samples[rows], self.data_end)
        return self._cache[key]


class Paired:
    """Completion forecasts of one kind: each case forecast by both methods."""

    def __init__(self) -> None:
        self.finished = 0  # already finished at the cut: not a forecast
        self.nulls = {m: collections.Counter() for m in METHODS}
        self.only = collections.Counter()  # an interval from one method but not the other
        self.cases: list[tuple[dict, dict, int | None, int]] = []
        self.calibrated = 0  # "after" intervals that a calibration gave (the rest fell back)

    def add(self, before: dict, after: dict, actual: int | None, data_end: int, reason_kind) -> None:
        if before["reason"] == "finished":
            self.finished += 1
            return
        for method, f in zip(METHODS, (before, after)):
            if f["estimate"] is None:
                self.nulls[method][reason_kind(f["reason"])] += 1
        if before["estimate"] is None or after["estimate"] is None:
            for method, f in zip(METHODS, (before, after)):
                if f["estimate"] is not None:
                    self.only[method] += 1
            return
        self.calibrated += "calibrated on" in (after["basis"] or "")
        self.cases.append((before, after, actual, data_end))

    def rows(self, name: str) -> list[dict]:
        return [self._row(name, i, method) for i, method in enumerate(METHODS)]

    def _row(self, name: str, which: int, method: str) -> dict:
        inside = outside = never = unresolved = 0
        widths, errors = [], []
        for case in self.cases:
            f, actual, data_end = case[which], case[2], case[3]
            low, high, estimate = _day(f["low"]), _day(f["high"]), _day(f["estimate"])
            if actual is None:
                never += high < data_end  # not finished by the end of the data, which came after `high`
                unresolved += high >= data_end
                continue
            widths.append(high - low)
            errors.append(abs(actual - estimate))
            inside += low <= actual <= high
            outside += not low <= actual <= high
        finished = inside + outside
        return {
            "forecast": name, "method": method, "cases": len(self.cases), "only_this_method": self.only[method],
            "null": sum(self.nulls[method].values()), "already_finished": self.finished,
            "calibrated": self.calibrated if method == "after" else None,
            "finished": finished, "inside": inside, "coverage": inside / finished if finished else None,
            "never_finished_missed": never, "unresolved": unresolved,
            "coverage_counting_never_finished": inside / (finished + never) if finished + never else None,
            "median_width_days": statistics.median(widths) if widths else None,
            "median_abs_error_days": statistics.median(errors) if errors else None,
            "null_reasons": dict(self.nulls[method].most_common()),
        }


def _day(text: str) -> int:
    return (dt.date.fromisoformat(text) - dt.date(1970, 1, 1)).days


def print_rows(rows: list[dict]) -> None:
    """The completion table: one line per kind and method, then the width ratio."""
    print(f"{'completion forecast':<22}{'method':>8}{'cases':>8}{'finished':>9}{'inside':>8}{'coverage':>10}"
          f"{'+never':>8}{'width':>8}{'|err|':>7}   (coverage of actual dates; +never: never-finished as misses)")
    for r in rows:
        print(f"{r['forecast']:<22}{r['method']:>8}{r['cases']:>8,}{r['finished']:>9,}{r['inside']:>8,}"
              f"{_pct(r['coverage']):>10}{_pct(r['coverage_counting_never_finished']):>8}"
              f"{_num(r['median_width_days']):>8}{_num(r['median_abs_error_days']):>7}")
    by = {(r["forecast"], r["method"]): r for r in rows}
    for name in dict.fromkeys(r["forecast"] for r in rows):
        before, after = by[(name, "before")], by[(name, "after")]
        if before["median_width_days"] and after["median_width_days"] is not None:
            print(f"{name}: median width after / before = {after['median_width_days'] / before['median_width_days']:.2f}"
                  f"; {after['calibrated']:,} of {after['cases']:,} calibrated, the rest fell back to the bootstrap; "
                  f"an interval only before: {before['only_this_method']:,}, only after: {after['only_this_method']:,}")


def _pct(value) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _num(value) -> str:
    return "-" if value is None else f"{value:.0f}"
