"""Backtest the forecasts of `progress insights` (DESIGN 5.6): are the 80% intervals honest?

    python bench/forecast_backtest.py EVENTS CATALOG (--cuts CUTS.csv | --as-of DATE)
                                      [--calibrate-on history|other-modules] [--tz UTC]
                                      [--no-skills] [--limit N] [--json]

Reads an event file (any format `progress import` reads) and a catalog, cuts each learner's
history at an as-of date (one for everyone, or per learner from a `learner_id,as_of` CSV as
`backtest_data.py` writes), forecasts from what came before the cut exactly as
`progress insights` does, and compares with what happened after:

- completion (overall and per module), each forecast twice on the same case: "before", the
  bootstrap interval of the recent pace (what `insights` gave without a calibration), and
  "after", the interval calibrated on completions (`analytics/calibration.py`). For each:
  the share of actual completion dates inside the 80% interval (the cases that finished by
  the end of the data), the same share when the cases that never finished count as misses
  (those whose interval ended before the data did; the others are unresolved), the median
  interval width in days and the median absolute error of the estimate, over the cases where
  both give an interval;
- skill level in 30 days: the share of actual levels 30 days after the cut (current_level,
  the mean of the last 10 attempts, DESIGN 5.1) inside the interval, and the median absolute
  error in points (only cuts with 30 days of data after them);
- how many forecasts were null, and why ("finished" is counted apart: it is not a forecast).

The calibration never sees the outcomes it is scored on. `--calibrate-on history` (the
default) gives each cut what `progress recompute` would have stored on that day: the
replayed forecasts known then (finished by the cut), so every outcome scored comes after
everything calibrated. `--calibrate-on other-modules` calibrates a module's forecasts on
every other module's replays, as a recompute at the end of the data knows them (a split by
module: on OULAD, where a module is one presentation, it is a leave-one-presentation-out);
the catalog's forecast is left uncalibrated in that mode (the scored learner's own finish
could be in its samples).

Per module, only the modules a learner had touched by the cut count. The target is a
coverage between 75% and 85% for an 80% interval. `backtest_data.py` builds the datasets;
README.md ("Insights and forecasts") has the figures.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

import pandas as pd  # noqa: E402

from progress_cli.analytics import analyze  # noqa: E402
from progress_cli.analytics import forecast as fc  # noqa: E402
from progress_cli.analytics.calibration import completion_samples  # noqa: E402
from progress_cli.analytics.curve import fit_curve  # noqa: E402
from progress_cli.analytics.insights import LearnerView, completion_forecasts  # noqa: E402
from progress_cli.catalog import load_catalog  # noqa: E402
from progress_cli.config import parse_as_of  # noqa: E402
from progress_cli.ingest.reader import check_file, detect_format, read_events  # noqa: E402
from progress_cli.services.frames import events_frame  # noqa: E402
from progress_cli.store.queries import EVENT_FRAME_COLUMNS  # noqa: E402

from backtest_completion import Calibrator, Paired, print_rows  # noqa: E402

SKILLS = "skill level in 30 days"


def load_events(path: Path, catalog, tz: ZoneInfo) -> pd.DataFrame:
    """The file's valid events as the analytics frame (first copy of each event_id kept)."""
    fmt = detect_format(path, check_file(path))
    rows, seen, rejected = [], set(), 0
    for _line, _raw, record in read_events(path, fmt, tz, catalog.xapi):
        if not isinstance(record, dict) or record.get("voided"):
            rejected += not isinstance(record, dict)
            continue
        if record["event_id"] in seen:
            continue
        seen.add(record["event_id"])
        rows.append(tuple(record[c] for c in EVENT_FRAME_COLUMNS))
    if rejected:
        print(f"({rejected} rows of {path.name} could not be read and were left out)", file=sys.stderr)
    return events_frame(rows)


def read_cuts(args, learners: list[str]) -> dict[str, str]:
    if args.as_of:
        return {learner: args.as_of for learner in learners}
    with open(args.cuts, newline="", encoding="utf-8") as f:
        cuts = {r["learner_id"]: r["as_of"] for r in csv.DictReader(f)}
    return {learner: cuts[learner] for learner in learners if learner in cuts}


class Tally:
    """Outcomes of one kind of forecast."""

    def __init__(self) -> None:
        self.inside = self.outside = self.unresolved = self.finished = 0
        self.nulls: collections.Counter[str] = collections.Counter()
        self.errors: list[float] = []

    @property
    def resolved(self) -> int:
        return self.inside + self.outside

    def null(self, reason: str) -> None:
        if reason == "finished":
            self.finished += 1
        else:
            self.nulls[_reason_kind(reason)] += 1

    def row(self, name: str, unit: str) -> dict:
        n = self.resolved + self.unresolved + sum(self.nulls.values())
        return {
            "forecast": name, "forecasts": n, "null": sum(self.nulls.values()), "finished": self.finished,
            "resolved": self.resolved, "inside": self.inside, "unresolved": self.unresolved,
            "coverage": self.inside / self.resolved if self.resolved else None,
            "coverage_if_unresolved_missed": (self.inside / (self.resolved + self.unresolved)
                                              if self.resolved + self.unresolved else None),
            "median_abs_error": statistics.median(self.errors) if self.errors else None,
            "error_unit": unit, "null_reasons": dict(self.nulls.most_common()),
        }


def _reason_kind(reason: str) -> str:
    """A reason without its numbers, so that equal reasons count together."""
    for prefix in ("too little recent data", "no progress", "completions on only", "too uncertain",
                   "at the recent pace", "not enough data", "no attempts at this skill", "no tasks",
                   "the curve fit"):
        if reason.startswith(prefix):
            return prefix
    return reason


def completion_days(analysis) -> tuple[dict, dict]:
    """Actual completion day per learner (every catalog task) and per (learner, module) (every
    task of the module), for those completed by the end of the data: the day the last of
    them was first completed."""
    p = analysis.prepared
    tasks = analysis.tasks[analysis.tasks["catalog_task"].to_numpy()]
    last = tasks.groupby(["learner_idx", "module_idx"])["completed_day"].max()
    learner_idx = {learner: i for i, learner in enumerate(p.learners)}
    module_idx = {module: i for i, module in enumerate(p.modules)}
    by_module, overall, open_modules = {}, collections.defaultdict(int), set()
    for r in analysis.modules[analysis.modules["in_catalog"].to_numpy()].itertuples():
        if not r.tasks_total:
            continue
        if r.completed_tasks < r.tasks_total:
            open_modules.add(r.learner_id)
            continue
        day = int(last[(learner_idx[r.learner_id], module_idx[r.module_id])])
        by_module[(r.learner_id, r.module_id)] = day
        overall[r.learner_id] = max(overall[r.learner_id], day)
    return {k: v for k, v in overall.items() if k not in open_modules}, by_module


def backtest(frame: pd.DataFrame, catalog, tz: ZoneInfo, cuts: dict[str, str], with_skills: bool,
             calibrate_on: str = "history") -> dict:
    skills = Tally()
    overall, modules = Paired(), Paired()
    end = analyze(frame, catalog, tz.key, pd.Timestamp(frame["ts"].max()).to_pydatetime())
    data_end = int(end.prepared.today)
    actual_overall, actual_module = completion_days(end)
    calibrations = Calibrator(completion_samples(end), calibrate_on, data_end)
    groups = collections.defaultdict(list)
    for learner, day in cuts.items():
        groups[day].append(learner)
    for day in sorted(groups):
        learners = sorted(groups[day])
        sub = frame[frame["learner_id"].isin(learners).to_numpy()]
        moment = parse_as_of(day, tz)
        now = analyze(sub, catalog, tz.key, moment)
        later = analyze(sub, catalog, tz.key, moment + dt.timedelta(days=fc.SKILL_DAYS)) if with_skills else None
        later_levels = _levels(later) if later is not None else {}
        present = set(now.prepared.events["learner_id"].unique())
        touched = _touched_modules(now)
        for learner in learners:
            if learner not in present:
                continue  # no event before the cut: nothing to forecast from
            view = LearnerView(now, learner)
            today = view.today
            before = completion_forecasts(view)
            after = completion_forecasts(view, calibrations(today, None))
            overall.add(before["completion"], after["completion"], actual_overall.get(learner), data_end, _reason_kind)
            for module_id, f in before["modules"].items():
                if module_id not in touched.get(learner, ()):
                    continue
                calibrated = after if calibrate_on == "history" else completion_forecasts(
                    view, calibrations(today, module_id))
                modules.add(f, calibrated["modules"][module_id], actual_module.get((learner, module_id)), data_end,
                            _reason_kind)
            if with_skills:
                for skill, (scores, days) in view.skill_series.items():
                    f = fc.skill_forecasts(scores=scores, attempt_days=days, fit=fit_curve(scores),
                                           window=view.window, seed=view.seed("skill", skill))["level_in_30_days"]
                    known = today + fc.SKILL_DAYS <= data_end
                    _score_level(skills, f, later_levels.get((learner, skill)) if known else None)
    return {"data_end": fc.iso_day(data_end), "learners": len(cuts), "calibrate_on": calibrate_on,
            "completion": overall.rows("overall") + modules.rows("per module"),
            "rows": [skills.row(SKILLS, "points")] if with_skills else []}


def _touched_modules(analysis) -> dict[str, set]:
    ev = analysis.prepared.events
    out = collections.defaultdict(set)
    for learner, module in zip(ev["learner_id"].to_numpy(dtype=object), ev["module_id"].to_numpy(dtype=object)):
        out[learner].add(module)
    return out


def _levels(analysis) -> dict:
    s = analysis.skills
    return {(r.learner_id, r.skill): r.current_level for r in s.itertuples() if r.current_level == r.current_level}


def _score_level(tally: Tally, f: dict, actual: float | None) -> None:
    if f["estimate"] is None:
        tally.null(f["reason"])
        return
    if actual is None:
        tally.unresolved += 1
        return
    tally.errors.append(abs(actual - f["estimate"]))
    if round(f["low"], 9) <= round(actual, 9) <= round(f["high"], 9):
        tally.inside += 1
    else:
        tally.outside += 1


def print_report(report: dict, title: str) -> None:
    print(title)
    print(f"{report['learners']:,} learners; data ends {report['data_end']}; target coverage 75-85% (80% intervals); "
          f"calibrated on {report['calibrate_on']}")
    print()
    print_rows(report["completion"])
    for r in report["completion"]:
        if r["null_reasons"]:
            reasons = "; ".join(f"{k}: {v:,}" for k, v in r["null_reasons"].items())
            print(f"null completion {r['forecast']} ({r['method']}): {reasons}")
    if not report["rows"]:
        return
    print()
    header = (f"{'forecast':<26}{'forecasts':>10}{'null':>8}{'finished':>9}{'resolved':>9}{'inside':>8}"
              f"{'coverage':>9}{'unresolved':>11}{'median |err|':>14}")
    print(header)
    for r in report["rows"]:
        cov = "-" if r["coverage"] is None else f"{r['coverage'] * 100:.1f}%"
        err = "-" if r["median_abs_error"] is None else f"{r['median_abs_error']:.1f} {r['error_unit']}"
        print(f"{r['forecast']:<26}{r['forecasts']:>10,}{r['null']:>8,}{r['finished']:>9,}{r['resolved']:>9,}"
              f"{r['inside']:>8,}{cov:>9}{r['unresolved']:>11,}{err:>14}")
    print()
    for r in report["rows"]:
        if r["unresolved"] and r["coverage_if_unresolved_missed"] is not None:
            print(f"{r['forecast']}: coverage {r['coverage_if_unresolved_missed'] * 100:.1f}% if every unresolved "
                  f"forecast were a miss")
    for r in report["rows"]:
        if r["null_reasons"]:
            reasons = "; ".join(f"{k}: {v:,}" for k, v in r["null_reasons"].items())
            print(f"null {r['forecast']}: {reasons}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("events", type=Path)
    p.add_argument("catalog", type=Path)
    cut = p.add_mutually_exclusive_group(required=True)
    cut.add_argument("--cuts", type=Path, help="CSV learner_id,as_of (YYYY-MM-DD)")
    cut.add_argument("--as-of", help="one cut for every learner (YYYY-MM-DD)")
    p.add_argument("--calibrate-on", choices=("history", "other-modules"), default="history",
                   help="what calibrates the completion intervals (see above)")
    p.add_argument("--tz", default="UTC", help="the zone of days (as `progress --tz`)")
    p.add_argument("--no-skills", action="store_true", help="completion forecasts only (faster)")
    p.add_argument("--limit", type=int, help="the first N learners (by id) only")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    a = p.parse_args(argv)
    tz = ZoneInfo(a.tz)
    started = time.perf_counter()
    catalog = load_catalog(a.catalog)
    frame = load_events(a.events, catalog, tz)
    learners = sorted(set(frame["learner_id"]))
    cuts = read_cuts(a, learners)
    if a.limit:
        cuts = dict(sorted(cuts.items())[:a.limit])
    report = backtest(frame, catalog, tz, cuts, not a.no_skills, a.calibrate_on)
    report["seconds"] = time.perf_counter() - started
    if a.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report, f"forecast backtest: {a.events.name} ({len(frame):,} events), {a.catalog.name}")
        print(f"\n{report['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
