"""Build the datasets that `forecast_backtest.py` runs on: an event file, a catalog and the
as-of cut of every learner. Nothing it writes is meant to be committed (the work dir is a
temporary folder by default).

    python bench/backtest_data.py oulad [--data ../shared/data] [--out DIR]
    python bench/backtest_data.py generated [--out DIR] [--events N] [--learners L] [--seed S]

Stdlib only, deterministic. Each command prints the paths it wrote, one per line, as
`events=...`, `catalog=...` and `cuts=...` (a CSV of `learner_id,as_of`).

oulad: the Open University Learning Analytics Dataset (Kuzilek et al. 2017, CC BY 4.0), read
from the shared data folder at run time:
- a learner is one student in one module presentation (`<id_student>@<module>-<presentation>`),
  so each learner has one presentation and one cut;
- module presentations are modules, their assessments are tasks (the 18 assessments that
  nobody submitted are left out: nobody could complete them), pass mark 40 as OULAD uses,
  target date = the presentation's last day;
- every scored result is an attempt event at UTC midnight of the presentation's start plus
  `date_submitted` days (B presentations start on February 1, J on October 1, as in
  tests/fixtures/SOURCE.md); results scored `?` are left out; banked results are kept; the
  skill is the module code (e.g. `AAA`);
- the cut is day 100 of the learner's presentation (start + 100 days, the end of that day), and
  only learners with at least 5 tasks done by then (distinct assessments scored >= 40) get a
  cut: with fewer, a pace says nothing (issue 19's cases).

generated: `gen_events.py`'s synthetic export (default 300,000 events, 1,500 learners, 180
days from 2026-01-05), the catalog its generator works from (modules, tasks with their skill
and difficulty, pass mark 70) rebuilt from the same seed, and one cut for everyone: the middle
of the 180 days (2026-04-04).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data"
DEFAULT_OUT = Path(tempfile.gettempdir()) / "progress-cli-backtest"
OULAD_CUT_DAY = 100  # the cut: this day of each presentation
OULAD_MIN_DONE = 5  # tasks done by the cut for a learner to be forecast
OULAD_PASS_MARK = 40.0


def presentation_start(code_presentation: str) -> dt.date:
    year, half = int(code_presentation[:4]), code_presentation[4]
    return dt.date(year, {"B": 2, "J": 10}[half], 1)


def build_oulad(data: Path, out: Path) -> dict[str, Path]:
    oulad = data / "oulad"
    with open(oulad / "assessments.csv", newline="", encoding="utf-8") as f:
        assessments = {r["id_assessment"]: r for r in csv.DictReader(f)}
    with open(oulad / "courses.csv", newline="", encoding="utf-8") as f:
        lengths = {f'{r["code_module"]}-{r["code_presentation"]}': int(r["module_presentation_length"])
                   for r in csv.DictReader(f)}
    events, cuts, submitted, done_by_cut = [], {}, defaultdict(set), defaultdict(set)
    with open(oulad / "studentAssessment.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):  # by header name: this copy's column order is a re-export's
            a = assessments[row["id_assessment"]]
            module = f'{a["code_module"]}-{a["code_presentation"]}'
            submitted[module].add(row["id_assessment"])
            if row["score"].strip() in ("", "?"):
                continue
            start = presentation_start(a["code_presentation"])
            learner = f'{row["id_student"]}@{module}'
            day = start + dt.timedelta(days=int(row["date_submitted"]))
            events.append({
                "event_id": f'oulad-{row["id_student"]}-{row["id_assessment"]}',
                "learner_id": learner, "module_id": module, "task_id": row["id_assessment"],
                "skill": a["code_module"], "type": "attempt", "timestamp": f"{day.isoformat()}T00:00:00Z",
                "score": float(row["score"]),
            })
            if int(row["date_submitted"]) <= OULAD_CUT_DAY and float(row["score"]) >= OULAD_PASS_MARK:
                done_by_cut[learner].add(row["id_assessment"])
            if len(done_by_cut[learner]) >= OULAD_MIN_DONE:
                cuts[learner] = start + dt.timedelta(days=OULAD_CUT_DAY)
    events.sort(key=lambda e: (e["timestamp"], e["event_id"]))
    out.mkdir(parents=True, exist_ok=True)
    paths = {"events": out / "oulad-events.jsonl", "catalog": out / "oulad-catalog.toml",
             "cuts": out / "oulad-cuts.csv"}
    with open(paths["events"], "w", encoding="utf-8", newline="\n") as f:
        f.writelines(json.dumps(e) + "\n" for e in events)
    lines = ["# OULAD module presentations (CC BY 4.0; Kuzilek et al. 2017), built by bench/backtest_data.py", ""]
    for module in sorted(lengths):
        code, presentation = module.split("-")
        end = presentation_start(presentation) + dt.timedelta(days=lengths[module])
        tasks = sorted((a for a in assessments.values()
                        if f'{a["code_module"]}-{a["code_presentation"]}' == module
                        and a["id_assessment"] in submitted[module]),
                       key=lambda a: (int(a["date"]) if a["date"] else 10**6, int(a["id_assessment"])))
        lines += ["[[modules]]", f'id = "{module}"', f'title = "OULAD {code} {presentation}"', f"pass_mark = {OULAD_PASS_MARK:g}",
                  f"target_date = {end.isoformat()}", "tasks = ["]
        lines += [f'  {{ id = "{a["id_assessment"]}", title = "{a["assessment_type"]} {a["id_assessment"]}" }},'
                  for a in tasks]
        lines += ["]", ""]
    paths["catalog"].write_text("\n".join(lines), encoding="utf-8", newline="\n")
    _write_cuts(paths["cuts"], cuts)
    return paths


def build_generated(out: Path, events: int, learners: int, seed: int, days: int = 180,
                    start: dt.date = dt.date(2026, 1, 5)) -> dict[str, Path]:
    sys.path.insert(0, str(HERE))
    import gen_events

    out.mkdir(parents=True, exist_ok=True)
    paths = {"events": out / f"generated-{events}-{learners}-{seed}.jsonl",
             "catalog": out / f"generated-{events}-{learners}-{seed}.toml",
             "cuts": out / f"generated-{events}-{learners}-{seed}-cuts.csv"}
    if not paths["events"].exists():
        gen_events.generate(paths["events"], events, n_learners=learners, days=days, seed=seed, start=start)
    # generate() builds its catalog first from random.Random(seed): the same call gives it back.
    catalog = gen_events._Catalog(random.Random(seed), 12, 40)
    lines = ["# The catalog gen_events.py works from, rebuilt by bench/backtest_data.py", ""]
    for module_id, tasks in zip(catalog.modules, catalog.tasks):
        lines += ["[[modules]]", f'id = "{module_id}"', f'title = "{module_id}"', "pass_mark = 70", "tasks = ["]
        lines += [f'  {{ id = "{t}", title = "{t}", skills = ["{s}"], difficulty = {d} }},' for t, s, d in tasks]
        lines += ["]", ""]
    paths["catalog"].write_text("\n".join(lines), encoding="utf-8", newline="\n")
    cut = start + dt.timedelta(days=days // 2 - 1)
    seen = set()
    with open(paths["events"], encoding="utf-8") as f:
        for line in f:
            seen.add(json.loads(line)["learner_id"])
    _write_cuts(paths["cuts"], {learner: cut for learner in seen})
    return paths


def _write_cuts(path: Path, cuts: dict[str, dt.date]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["learner_id", "as_of"])
        for learner in sorted(cuts):
            w.writerow([learner, cuts[learner].isoformat()])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="dataset", required=True)
    o = sub.add_parser("oulad", help="the OULAD dataset from the shared data folder")
    o.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    o.add_argument("--out", type=Path, default=DEFAULT_OUT)
    g = sub.add_parser("generated", help="gen_events.py's synthetic export and its catalog")
    g.add_argument("--out", type=Path, default=DEFAULT_OUT)
    g.add_argument("--events", type=int, default=300_000)
    g.add_argument("--learners", type=int, default=1_500)
    g.add_argument("--seed", type=int, default=20260105)
    a = p.parse_args(argv)
    if a.dataset == "oulad":
        if not (a.data / "oulad").is_dir():
            print(f"error: {a.data} has no oulad/ folder (pass --data, the shared data folder)", file=sys.stderr)
            return 1
        paths = build_oulad(a.data, a.out)
    else:
        paths = build_generated(a.out, a.events, a.learners, a.seed)
    for name, path in paths.items():
        print(f"{name}={path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
