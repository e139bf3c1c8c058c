"""Read benchmark: the interactive reads on the million-event store against the start-up of the
stack they need, in one run (DESIGN 9, issue 14).

    python bench/read_bench.py                       # 1M events, 10k learners
    python bench/read_bench.py --events 100000       # a quick run
    python bench/read_bench.py --fresh               # rebuild the cached store

One run:

1. reuses (or builds) `report_bench.py`'s store (`gen_events.py` export, `init --catalog` with a
   matching catalog, `import --no-recompute`), then recomputes it once with this code
   (`recompute --tz UTC`, timed for information; a marker file keeps it for the next runs);
2. picks the most active learner (the heaviest status);
3. times each command as a child process, `--repeat` rounds (default 3), all of them in each
   round, and keeps each one's best wall time: the baseline `python -c "import typer, rich,
   sqlmodel"`, then `progress --db STORE --tz UTC` `status LEARNER`, `status LEARNER --json`,
   `learners --json`, `achievements LEARNER --json`, `leaderboard --json`, and for
   information `cert check LEARNER --json` and `learners` (the terminal table).

It prints each best time, its ratio to the baseline and the target (at most 1.5x for status,
learners, achievements and leaderboard; their `--json` form, as the issue measured learners),
and `uptime` (the machine is shared: read ratios from one run). Exit code: 0 when every target
is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

TARGET_RATIO = 1.5
BASELINE = [sys.executable, "-c", "import typer, rich, sqlmodel"]
RECOMPUTED_VERSION = 11  # the schema whose rows the reads answer from: a store recomputed before it is recomputed again


def prepared_store(workdir: Path, n_events: int, fresh: bool) -> tuple[Path, str]:
    """report_bench's store, recomputed once by this code (kept between runs)."""
    from report_bench import prepare_store

    store, how = prepare_store(workdir, n_events, fresh)
    marker = store.with_suffix(f".db.recomputed-{RECOMPUTED_VERSION}")
    if fresh or not marker.exists():
        started = time.perf_counter()
        subprocess.run([*progress(store), "--quiet", "recompute"], check=True, cwd=REPO_DIR, env=_env())
        marker.write_text("ok\n", encoding="utf-8")
        how += f"; recomputed in {time.perf_counter() - started:.1f} s"
    return store, how


def most_active_learner(store: Path) -> tuple[str, int]:
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return con.execute("SELECT learner_id, count(*) AS n FROM events GROUP BY learner_id "
                           "ORDER BY n DESC, learner_id LIMIT 1").fetchone()
    finally:
        con.close()


def progress(store: Path) -> list[str]:
    return [sys.executable, "-m", "progress_cli", "--db", str(store), "--tz", "UTC"]


def _env() -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PROGRESS_DB", None)
    return env


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    run = subprocess.run(cmd, cwd=REPO_DIR, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({run.returncode}): {run.stderr.strip()[-500:]}")
    return wall


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--workdir", type=Path, default=None,
                   help="where the export and the store are cached (default: progress-cli-bench in the temp dir)")
    p.add_argument("--repeat", type=int, default=3, metavar="K", help="rounds; the best of K is kept (default 3)")
    p.add_argument("--fresh", action="store_true", help="rebuild the cached store")
    a = p.parse_args(argv)
    workdir = (a.workdir or Path(tempfile.gettempdir()) / "progress-cli-bench").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    store, how = prepared_store(workdir, a.events, a.fresh)
    learner, events = most_active_learner(store)
    print(f"store: {store} ({how}); learner {learner} ({events} events)")
    base = progress(store)
    steps = {
        "baseline: import typer, rich, sqlmodel": (BASELINE, None),
        f"status {learner}": ([*base, "status", learner], TARGET_RATIO),
        f"status {learner} --json": ([*base, "status", learner, "--json"], TARGET_RATIO),
        "learners --json": ([*base, "learners", "--json"], TARGET_RATIO),
        f"achievements {learner} --json": ([*base, "achievements", learner, "--json"], TARGET_RATIO),
        "leaderboard --json": ([*base, "leaderboard", "--json"], TARGET_RATIO),
        f"cert check {learner} --json": ([*base, "cert", "check", learner, "--json"], None),
        "learners (terminal table)": ([*base, "learners"], None),
    }
    best: dict[str, float] = {}
    for _ in range(a.repeat):
        for name, (cmd, _target) in steps.items():
            wall = timed(cmd)
            best[name] = min(best.get(name, wall), wall)
    baseline = best["baseline: import typer, rich, sqlmodel"]
    failed = False
    print(f"\n{'step':<40} {'best s':>8} {'ratio':>7}  target")
    for name, (_cmd, target) in steps.items():
        ratio = best[name] / baseline
        verdict = "" if target is None else f"<= {target:.1f}x {'PASS' if ratio <= target else 'FAIL'}"
        failed |= target is not None and ratio > target
        print(f"{name:<40} {best[name]:>8.3f} {ratio:>6.2f}x  {verdict}")
    print(f"\nbest of {a.repeat}; uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
