"""Is the risk of DESIGN 5.7 honest on real outcomes? AUC and calibration on OULAD.

    python bench/risk_backtest.py [--data ../shared/data] [--out DIR] [--cut 100]
    python bench/risk_backtest.py --fit      # refit the model's coefficients (analytics/risk.py)

OULAD (Kuzilek et al. 2017, CC BY 4.0), read from the shared data folder at run time:
- a learner is one student in one module presentation (`<id_student>@<module>-<presentation>`,
  as `backtest_data.py` names them); presentations are modules; their non-exam assessments
  (TMA, CMA) that anyone submitted are tasks, in the order of their due dates; pass mark 40;
  target date = the presentation's end (its start plus `module_presentation_length` days);
- every scored result is an attempt at UTC midnight of its submission day;
- each presentation is cut at day `--cut` (100): the learners still registered then (no
  `date_unregistration`, or a later one) with at least one result by then; the outcome to
  predict is `final_result` Fail or Withdrawn.

The risk is read from the CLI's own output: the events go into a store (`progress init`,
`progress import`), and `progress learners --json --as-of <cut>` runs once per presentation
(in `--tz UTC`); a learner's `risk` is that of their one module. A null risk (nothing
started and unfinished) counts as 0. The script prints the AUC of the risk, of two simple
scores for scale (the plain average score; the average score x the share of the tasks due by
the cut, those most of the presentation's learners had submitted, that the learner passed),
the share flagged `at_risk` and the calibration: predicted against observed share of Fail or
Withdrawn in ten deciles of the risk.

`--fit` computes the model's inputs at the same cuts through the library (the functions
`learners --as-of` calls), fits the logistic coefficients by maximum likelihood, and prints
them with their AUC in sample and leaving one module (AAA..GGG) out at a time.

The work dir (default `$TMP/progress-cli-risk/`) keeps the events, the catalog and the store
between runs; `--fresh` rebuilds them. A run takes about 2.5 minutes on a 2-CPU machine once
the store is built (building it, about a minute more).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from backtest_data import DEFAULT_DATA, presentation_start  # noqa: E402

DEFAULT_OUT = Path(tempfile.gettempdir()) / "progress-cli-risk"
PASS_MARK = 40.0
BAD = {"Fail", "Withdrawn"}


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class Oulad:
    """The parts of OULAD the backtest needs, with each presentation's cut."""

    def __init__(self, data: Path, cut: int) -> None:
        folder = data / "oulad"
        self.cut = cut
        self.assessments = {r["id_assessment"]: r for r in read_csv(folder / "assessments.csv")
                            if r["assessment_type"] != "Exam"}
        self.lengths = {f'{r["code_module"]}-{r["code_presentation"]}': int(r["module_presentation_length"])
                        for r in read_csv(folder / "courses.csv")}
        self.results = []
        for r in read_csv(folder / "studentAssessment.csv"):
            a = self.assessments.get(r["id_assessment"])
            if a is None or r["score"].strip() in ("", "?"):
                continue
            module = f'{a["code_module"]}-{a["code_presentation"]}'
            self.results.append({"learner": f'{r["id_student"]}@{module}', "module": module,
                                 "task": r["id_assessment"], "day": int(r["date_submitted"]),
                                 "score": float(r["score"])})
        self.outcome = {f'{r["id_student"]}@{r["code_module"]}-{r["code_presentation"]}': r["final_result"]
                        for r in read_csv(folder / "studentInfo.csv")}
        self.unregistered = {}
        for r in read_csv(folder / "studentRegistration.csv"):
            day = r["date_unregistration"].strip()
            self.unregistered[f'{r["id_student"]}@{r["code_module"]}-{r["code_presentation"]}'] = \
                int(day) if day and day != "?" else None

    def start(self, module: str) -> dt.date:
        return presentation_start(module.split("-")[1])

    def cut_date(self, module: str) -> dt.date:
        return self.start(module) + dt.timedelta(days=self.cut)

    def population(self) -> dict[str, str]:
        """learner -> module: registered at the cut, with a result by then."""
        with_result = {r["learner"]: r["module"] for r in self.results if r["day"] <= self.cut}
        return {learner: module for learner, module in with_result.items()
                if learner in self.outcome and (self.unregistered.get(learner) is None
                                                or self.unregistered[learner] > self.cut)}

    def write(self, out: Path) -> tuple[Path, Path]:
        out.mkdir(parents=True, exist_ok=True)
        events, catalog = out / "oulad-risk-events.jsonl", out / "oulad-risk-catalog.toml"
        with open(events, "w", encoding="utf-8", newline="\n") as f:
            for r in sorted(self.results, key=lambda r: (r["day"], r["learner"], r["task"])):
                student = r["learner"].split("@")[0]
                day = self.start(r["module"]) + dt.timedelta(days=r["day"])
                f.write(json.dumps({"event_id": f'oulad-{student}-{r["task"]}', "learner_id": r["learner"],
                                    "module_id": r["module"], "task_id": r["task"], "type": "attempt",
                                    "timestamp": f"{day.isoformat()}T00:00:00Z", "score": r["score"]}) + "\n")
        submitted = defaultdict(set)
        for r in self.results:
            submitted[r["module"]].add(r["task"])
        lines = ["# OULAD presentations, non-exam assessments (CC BY 4.0), built by bench/risk_backtest.py", ""]
        for module in sorted(self.lengths):
            end = self.start(module) + dt.timedelta(days=self.lengths[module])
            tasks = sorted(submitted[module], key=lambda t: (int(self.assessments[t]["date"] or 10**6), int(t)))
            lines += ["[[modules]]", f'id = "{module}"', "pass_mark = 40", f"target_date = {end.isoformat()}",
                      "tasks = [" + ", ".join(f'"{t}"' for t in tasks) + "]", ""]
        catalog.write_text("\n".join(lines), encoding="utf-8")
        return events, catalog


def build_store(oulad: Oulad, out: Path, fresh: bool) -> Path:
    store = out / "oulad-risk.db"
    if store.exists() and not fresh:
        return store
    for path in out.glob("oulad-risk.db*"):
        path.unlink()
    events, catalog = oulad.write(out)
    progress(store, "init", "--catalog", catalog)
    progress(store, "import", events, "--no-recompute", "--quiet")
    return store


def progress(store: Path, *args) -> str:
    command = [sys.executable, "-m", "progress_cli", "--db", str(store), "--tz", "UTC", *map(str, args)]
    return subprocess.run(command, check=True, capture_output=True, text=True, cwd=HERE.parent).stdout


def cli_risks(oulad: Oulad, store: Path, population: dict[str, str]) -> dict[str, float]:
    """learner -> risk, from `progress learners --json --as-of <cut>` once per presentation."""
    risks = {}
    for module in sorted(set(population.values())):
        rows = json.loads(progress(store, "learners", "--json", "--as-of", oulad.cut_date(module).isoformat()))
        for row in rows:
            if population.get(row["learner_id"]) == module:
                risks[row["learner_id"]] = row["risk"]
    return risks


def auc(scores: list[float], labels: list[int]) -> float:
    """The probability that a random positive scores above a random negative (ties: half)."""
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    pos = sum(labels)
    neg = len(labels) - pos
    return (sum(r for r, y in zip(ranks, labels) if y) - pos * (pos + 1) / 2) / (pos * neg)


def baselines(oulad: Oulad, population: dict[str, str]) -> dict[str, dict[str, float]]:
    """The average score, and the share of the due tasks passed, of each learner at the cut."""
    by_learner = defaultdict(list)
    for r in oulad.results:
        if r["day"] <= oulad.cut:
            by_learner[r["learner"]].append(r)
    learners_of = defaultdict(set)
    task_learners = defaultdict(lambda: defaultdict(set))
    for learner, rows in by_learner.items():
        for r in rows:
            learners_of[r["module"]].add(learner)
            task_learners[r["module"]][r["task"]].add(learner)
    due = {m: {t for t, who in tasks.items() if len(who) >= 0.5 * len(learners_of[m])}
           for m, tasks in task_learners.items()}
    out = {}
    for learner, module in population.items():
        rows = by_learner[learner]
        mean = sum(r["score"] for r in rows) / len(rows)
        passed = {r["task"] for r in rows if r["score"] >= PASS_MARK} & due[module]
        out[learner] = {"mean": mean, "mean_x_share": mean * len(passed) / max(len(due[module]), 1)}
    return out


def calibration(risks: list[float], labels: list[int], bins: int = 10) -> list[tuple[float, float, float, int]]:
    """(lowest risk, mean predicted, observed share, learners) per decile of the risk."""
    pairs = sorted(zip(risks, labels))
    out = []
    for k in range(bins):
        part = pairs[len(pairs) * k // bins: len(pairs) * (k + 1) // bins]
        out.append((part[0][0], sum(p for p, _ in part) / len(part), sum(y for _, y in part) / len(part), len(part)))
    return out


def evaluate(oulad: Oulad, store: Path) -> None:
    population = oulad.population()
    risks = cli_risks(oulad, store, population)
    learners = sorted(population)
    labels = [int(oulad.outcome[lid] in BAD) for lid in learners]
    risk = [risks.get(lid) or 0.0 for lid in learners]
    nulls = sum(risks.get(lid) is None for lid in learners)
    base = baselines(oulad, population)
    flagged = sum(r >= 0.5 for r in risk)
    print(f"OULAD, {len(set(population.values()))} presentations cut at day {oulad.cut}: {len(learners):,} learners "
          f"registered then with a result, {sum(labels):,} of them Fail or Withdrawn ({sum(labels) / len(labels):.1%})")
    print(f"  risk null (nothing started and unfinished, counted as 0): {nulls}")
    print(f"  AUC  risk (progress learners --json --as-of):         {auc(risk, labels):.4f}")
    print(f"  AUC  plain average score (lower = riskier):           {auc([-base[l]['mean'] for l in learners], labels):.4f}")
    print(f"  AUC  average score x share of due tasks passed:       "
          f"{auc([-base[l]['mean_x_share'] for l in learners], labels):.4f}")
    at_risk = [y for r, y in zip(risk, labels) if r >= 0.5]
    print(f"  at_risk (risk >= 0.5): {flagged:,} learners ({flagged / len(learners):.1%}), "
          f"{sum(at_risk) / max(len(at_risk), 1):.1%} of them Fail or Withdrawn; "
          f"they hold {sum(at_risk) / sum(labels):.1%} of all Fail or Withdrawn")
    print("  calibration by deciles of the risk:")
    print("    decile  from risk  predicted  observed  learners")
    for k, (low, predicted, observed, n) in enumerate(calibration(risk, labels), 1):
        print(f"    {k:>6}  {low:>9.3f}  {predicted:>9.3f}  {observed:>8.3f}  {n:>8,}")


def fit(oulad: Oulad, store: Path) -> None:
    """Fit the coefficients on the inputs the library computes at the cuts."""
    import numpy as np
    from scipy.optimize import minimize
    from zoneinfo import ZoneInfo

    from progress_cli.analytics import analyze
    from progress_cli.analytics.risk_inputs import risk_inputs
    from progress_cli.services.frames import events_frame
    from progress_cli.services.risk import store_peers
    from progress_cli.services.store_access import open_engine, stored_catalog
    from progress_cli.store import queries, read_snapshot

    population = oulad.population()
    utc = ZoneInfo("UTC")
    engine = open_engine(str(store))
    catalog = stored_catalog(engine)
    rows, labels, modules = [], [], []
    for module in sorted(set(population.values())):
        learners = sorted(lid for lid, m in population.items() if m == module)
        moment = dt.datetime.combine(oulad.cut_date(module), dt.time.max, tzinfo=utc)
        with read_snapshot(engine) as conn:
            frame = events_frame(queries.live_events(conn, learner_ids=learners))
            peers = store_peers(conn, moment, utc)
        for x in risk_inputs(analyze(frame, catalog, "UTC", moment), peers):
            margin = (x.recent_score if x.recent_score is not None else x.pass_mark) - x.pass_mark
            rows.append([x.due_not_started / x.due if x.due else 0.0, margin / 10.0, math.log1p(x.idle_days)])
            labels.append(int(oulad.outcome[x.learner_id] in BAD))
            modules.append(module.split("-")[0])
    engine.dispose()
    X, y, groups = np.array(rows), np.array(labels), np.array(modules)

    def solve(X, y):
        A = np.c_[np.ones(len(X)), X]
        nll = lambda w: np.sum(np.logaddexp(0, A @ w) - y * (A @ w))  # noqa: E731
        grad = lambda w: A.T @ (1 / (1 + np.exp(-(A @ w))) - y)  # noqa: E731
        return minimize(nll, np.zeros(A.shape[1]), jac=grad, method="BFGS").x

    w = solve(X, y)
    held_out = np.zeros(len(y))
    for g in np.unique(groups):
        test = groups == g
        held_out[test] = np.c_[np.ones(test.sum()), X[test]] @ solve(X[~test], y[~test])
    print(f"fitted on {len(y):,} learners ({y.mean():.1%} Fail or Withdrawn):")
    for name, value in zip(("INTERCEPT", "PER_NOT_STARTED_SHARE", "PER_10_POINTS", "PER_LN_IDLE_DAY"), w):
        print(f"  {name} = {value:.4f}")
    print(f"  AUC in sample {auc(list(np.c_[np.ones(len(X)), X] @ w), list(y)):.4f}; "
          f"leaving one module out at a time {auc(list(held_out), list(y)):.4f}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="work dir (kept between runs)")
    p.add_argument("--cut", type=int, default=100, help="day of each presentation to cut at")
    p.add_argument("--fresh", action="store_true", help="rebuild the events, catalog and store")
    p.add_argument("--fit", action="store_true", help="refit the coefficients instead of evaluating")
    a = p.parse_args(argv)
    if not (a.data / "oulad").is_dir():
        print(f"error: {a.data} has no oulad/ folder (pass --data, the shared data folder)", file=sys.stderr)
        return 1
    oulad = Oulad(a.data, a.cut)
    store = build_store(oulad, a.out, a.fresh)
    (fit if a.fit else evaluate)(oulad, store)
    return 0


if __name__ == "__main__":
    sys.exit(main())
