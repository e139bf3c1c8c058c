"""Team report benchmark: `progress report --week --team` over every learner of the
million-event store (10,000 learners), in each format, end to end.

    python bench/team_report_bench.py                      # 1M events, 10k learners
    python bench/team_report_bench.py --events 100000      # a quick run
    python bench/team_report_bench.py --formats json,html  # some formats only

One run:

1. reuses (or builds) the store of `report_bench.py` (the synthetic export of
   `gen_events.py`, its catalog, `progress import --no-recompute`), cached in the work dir;
2. baseline: reading every live event of the store with the stdlib's sqlite3 (one SELECT of
   the columns the analytics use, into Python tuples): the least any report over everyone
   must do;
3. for each format, `progress --db STORE report --week --team --format F --out FILE` as of
   the data's last day, in a child process (start-up, computing and rendering, one row a
   learner): its wall time against the target (30 s) and as a ratio to the baseline, its CPU
   time (user + system: what the wall time would be on an idle machine, as the run uses one
   core) and the file's size. Then the same report computed once in this process, to split computing
   from rendering.

Exit code: 0 when every format is under the target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(REPO_DIR))
sys.path.insert(0, str(BENCH_DIR))

from report_bench import AS_OF, prepare_store  # noqa: E402

TARGET_S = 30.0
FORMATS = ("terminal", "md", "json", "html", "pdf")


def baseline(store: Path) -> tuple[float, int]:
    """Seconds to read every live event's analytics columns, and how many there are."""
    started = time.perf_counter()
    with sqlite3.connect(store) as conn:
        rows = conn.execute("SELECT event_id, learner_id, session_id, module_id, task_id, skill, type, timestamp, "
                            "score, duration_s, difficulty FROM events WHERE voided = 0").fetchall()
    return time.perf_counter() - started, len(rows)


def run_cli(store: Path, fmt: str, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one `progress report --team` run."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PROGRESS_DB", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "progress_cli", "--db", str(store), "--tz", "UTC", "--quiet", "report",
                    "--week", "--team", "--as-of", AS_OF, "--format", fmt, "--out", str(out)],
                   check=True, cwd=REPO_DIR, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def split(store: Path, formats: list[str]) -> None:
    """Computing once, then rendering each format, in this process."""
    from progress_cli.render.report_formats import render_team
    from progress_cli.services.team import team_report

    started = time.perf_counter()
    report = team_report(str(store), tz=ZoneInfo("UTC"), kind="week", value=None, as_of=AS_OF, team=None)
    compute = time.perf_counter() - started
    print(f"in process: computing the report object {compute:.1f} s "
          f"({len(report['learners']):,} learners, {report['headline']['at_risk']:,} at risk)")
    for fmt in formats:
        started = time.perf_counter()
        data = render_team(report, fmt).data
        print(f"  rendering {fmt:<9}{time.perf_counter() - started:>6.1f} s  ({len(data) / 2**20:.1f} MB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the store (default 1,000,000)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated (default: all five)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="cache of the export and the store (default: progress-cli-bench in the temp dir)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the store")
    args = parser.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]

    workdir = (args.workdir or Path(tempfile.gettempdir()) / "progress-cli-bench").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["PROGRESS_CACHE_DIR"] = str(workdir / "cache")
    print(f"progress-cli team report bench: every learner of a store of {args.events:,} events, as of {AS_OF}")
    print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")
    store, origin = prepare_store(workdir, args.events, args.fresh)
    print(f"store {store.name} ({store.stat().st_size / 2**20:.0f} MB, {origin})")
    base, events = baseline(store)
    print(f"baseline: reading {events:,} live events with sqlite3 {base:.1f} s")
    print()
    print(f"{'format':<10}{'wall':>8}{'cpu':>8}{'x baseline':>12}{'file':>10}{'target':>9}  result")
    failed = False
    out_dir = workdir / "team-reports"
    out_dir.mkdir(exist_ok=True)
    for fmt in formats:
        out = out_dir / f"team.{ {'terminal': 'txt'}.get(fmt, fmt) }"
        seconds, cpu = run_cli(store, fmt, out)
        ok = seconds < TARGET_S
        failed |= not ok
        print(f"{fmt:<10}{seconds:>6.1f} s{cpu:>6.1f} s{seconds / base:>11.1f}x{out.stat().st_size / 2**20:>7.1f} MB"
              f"{TARGET_S:>7.0f} s  {'PASS' if ok else 'FAIL'}")
        out.unlink()
    print()
    split(store, formats)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
