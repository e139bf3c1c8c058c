"""Import benchmark: `progress import` against a plain json + sqlite3 baseline.

One run generates (or reuses) a JSON Lines export of N events (bench/gen_events.py) and times,
each step in its own child process so that its peak memory is its own:

  (a) baseline: stdlib json + sqlite3 executemany in one transaction into a table with a primary
      key on event_id and an index on (learner_id, timestamp), timestamps normalised to UTC;
  (b) progress --db STORE import FILE --no-recompute --quiet, into a fresh store;
  (c) the same import again into that store (everything is a duplicate);
  (d) with --with-recompute: progress --db STORE recompute.

It prints wall seconds, events/s and peak memory per step (the PSS of the command and its
worker processes together, sampled), then the ratios to the baseline and the targets of
issue 14 (import <= 1.2x baseline, re-import <= 0.1x baseline, peak < 250 MB for both;
a full recompute <= 0.6x baseline) with PASS or FAIL. Exit code: 0 when no target failed, 1 when one did (a skipped step is not a failure).

    python bench/import_bench.py --events 100000            # quick run
    python bench/import_bench.py                            # 1,000,000 events
    python bench/import_bench.py --baseline-only FILE DB    # just (a), in this process
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent

IMPORT_RATIO_TARGET = 1.2
REIMPORT_RATIO_TARGET = 0.1
RECOMPUTE_RATIO_TARGET = 0.6  # a full recompute with the default jobs (issue 14)
RSS_TARGET_MB = 250.0

COLUMNS = ("event_id", "learner_id", "learner_name", "session_id", "module_id", "task_id",
           "skill", "type", "timestamp", "score", "duration_s", "difficulty")


# --------------------------------------------------------------------------- (a) baseline

def baseline_import(src: str | os.PathLike, db: str | os.PathLike) -> dict:
    """Load a JSON Lines export into a fresh SQLite table with nothing but the stdlib."""
    _remove_db(Path(db))
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TABLE events (event_id TEXT PRIMARY KEY, learner_id TEXT NOT NULL,"
        " learner_name TEXT, session_id TEXT, module_id TEXT NOT NULL, task_id TEXT,"
        " skill TEXT, type TEXT NOT NULL, timestamp TEXT NOT NULL, score REAL,"
        " duration_s REAL, difficulty INTEGER)")
    con.execute("CREATE INDEX ix_events_learner_ts ON events (learner_id, timestamp)")
    read = 0

    def rows():
        nonlocal read
        utc = dt.UTC
        fromiso = dt.datetime.fromisoformat
        with open(src, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                read += 1
                e = json.loads(line)
                e["timestamp"] = fromiso(e["timestamp"]).astimezone(utc).isoformat()
                yield tuple(e.get(c) for c in COLUMNS)

    placeholders = ", ".join("?" * len(COLUMNS))
    with con:  # one transaction
        cur = con.executemany(f"INSERT OR IGNORE INTO events VALUES ({placeholders})", rows())
    inserted = cur.rowcount
    con.close()
    return {"read": read, "inserted": inserted}


# --------------------------------------------------------------------------- child processes

@dataclass
class Step:
    """One step over its runs: the best wall time, the highest peak memory, the first failure."""

    label: str
    wall_s: float | None = None
    rss_mb: float | None = None
    exit_code: int | None = None
    note: str = ""
    stderr_tail: str = ""

    @property
    def ran(self) -> bool:
        return self.wall_s is not None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


# The child's ru_maxrss would include the parent's own peak: Linux carries the high-water mark
# of the parent's memory over to a (v)forked child through exec. So each step is started by a
# small launcher process (bare Python, about 9 MB) that forks, execs the command, and reports
# the command's wall time and rusage from os.wait4. The import parses on worker processes, so
# the launcher also samples, every 50 ms, the proportional set size (PSS) of the command and
# all its descendants together: pages the workers share with their parent count once, split
# between them, where a sum of RSS would count them once per process.
LAUNCHER = """
import os, sys, time

def tree_pss_kib(root):
    children = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                with open('/proc/%s/stat' % name) as f:
                    ppid = int(f.read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open('/proc/%d/smaps_rollup' % pid) as f:
                total += next(int(l.split()[1]) for l in f if l.startswith('Pss:'))
        except (OSError, StopIteration):
            pass
    return total

t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
sample = os.path.exists('/proc/self/smaps_rollup')
peak = 0
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    if sample:
        peak = max(peak, tree_pss_kib(pid))
    time.sleep(0.05)
wall = time.perf_counter() - t0
with open(sys.argv[1], "w") as f:
    f.write(f"{wall!r} {peak if sample else usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_child(cmd: list[str], log_stem: Path) -> tuple[float, float, int, str, str]:
    """Run cmd; return (wall seconds, peak memory MB of it and its workers, exit code, stdout, stderr)."""
    out_path, err_path = log_stem.with_suffix(".out"), log_stem.with_suffix(".err")
    res_path = log_stem.with_suffix(".rusage")
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("PROGRESS_DB", None)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, str(res_path), *cmd],
                       stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=REPO_DIR,
                       env=env, check=True)
    wall, peak_kib, code = res_path.read_text().split()
    return (float(wall), int(peak_kib) / 1024, int(code),  # KiB on Linux
            out_path.read_text(encoding="utf-8", errors="replace"),
            err_path.read_text(encoding="utf-8", errors="replace"))


def run_step(step: Step, cmd: list[str], log_stem: Path) -> str:
    """Run one step once, fold the figures into `step`, and return its stdout."""
    wall, rss, code, stdout, stderr = run_child(cmd, log_stem)
    step.wall_s = wall if step.wall_s is None else min(step.wall_s, wall)
    step.rss_mb = rss if step.rss_mb is None else max(step.rss_mb, rss)
    if step.exit_code in (None, 0):
        step.exit_code = code
        if code != 0:
            step.stderr_tail = "\n".join((stderr or stdout).strip().splitlines()[-8:])
    return stdout


def progress_cmd() -> list[str]:
    return [sys.executable, "-m", "progress_cli"]


def command_help(*args: str) -> str | None:
    """The --help text of a progress command, or None when the command does not exist."""
    try:
        r = subprocess.run([*progress_cmd(), *args, "--help"], cwd=REPO_DIR, capture_output=True,
                           text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout if r.returncode == 0 else None


def with_quiet(command: str, help_text: str, tail: list[str]) -> list[str]:
    """`progress --db X COMMAND ... --quiet`, or `--quiet COMMAND` when quiet is global only."""
    if "--quiet" in help_text:
        return [command, *tail, "--quiet"]
    return ["--quiet", command, *tail]


def stored_events(db: Path) -> int | None:
    """Rows in the store's events table, when there is one (a sanity check, not timed)."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return con.execute("SELECT count(*) FROM events").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None


def _remove_db(db: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


# --------------------------------------------------------------------------- the run

def prepare_file(workdir: Path, n_events: int) -> tuple[Path, str]:
    sys.path.insert(0, str(BENCH_DIR))
    from gen_events import GENERATOR_VERSION, generate

    path = workdir / f"events-{n_events}-v{GENERATOR_VERSION}.jsonl"
    if path.exists():
        return path, "cached"
    tmp = path.with_suffix(".jsonl.part")
    stats = generate(tmp, n_events)
    os.replace(tmp, path)
    return path, f"generated in {stats['seconds']:.1f} s"


def fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=1_000_000, help="events to generate "
                   "(default 1,000,000; 100,000 for a quick run)")
    p.add_argument("--workdir", type=Path, default=None, help="where the generated file is "
                   "cached and the stores are written (default: progress-cli-bench in the "
                   "system temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the databases and logs")
    p.add_argument("--with-recompute", action="store_true",
                   help="also time `progress recompute` on the imported store")
    p.add_argument("--repeat", type=int, default=1, metavar="K",
                   help="run (a)-(c) K times, in rounds, and report the best wall time and "
                   "the highest peak memory of each (default 1)")
    p.add_argument("--baseline-only", nargs=2, metavar=("FILE", "DB"),
                   help="run only the baseline import of FILE into DB, in this process")
    a = p.parse_args(argv)

    if a.baseline_only:
        print(json.dumps(baseline_import(*a.baseline_only)))
        return 0

    workdir = (a.workdir or Path(tempfile.gettempdir()) / "progress-cli-bench").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    n = a.events
    src, origin = prepare_file(workdir, n)
    base_db = workdir / f"baseline-{n}.db"
    store = workdir / f"store-{n}.db"
    logs = workdir / f"logs-{n}"
    logs.mkdir(exist_ok=True)

    print(f"progress-cli import bench: {n:,} events, {src.name} "
          f"({src.stat().st_size / 1e6:.1f} MB, {origin})")
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")
    print(flush=True)

    steps = {k: Step(label) for k, label in (
        ("a", "(a) baseline json+sqlite3"), ("b", "(b) progress import"),
        ("c", "(c) progress re-import"), ("d", "(d) progress recompute"))}
    problems: list[str] = []

    import_help = command_help("import")
    if import_help is None:
        for k in "bcd":
            steps[k].note = "skipped: `progress import` not available"
    import_cmd = [*progress_cmd(), "--db", str(store),
                  *with_quiet("import", import_help or "", [str(src), "--no-recompute"])]
    baseline_cmd = [sys.executable, str(Path(__file__).resolve()),
                    "--baseline-only", str(src), str(base_db)]

    # rounds of (a), (b), (c), so that a change of load on the machine hits all three alike
    for _ in range(a.repeat):
        out = run_step(steps["a"], baseline_cmd, logs / "a-baseline")
        if not steps["a"].ok:
            problems.append(f"{steps['a'].label} exited {steps['a'].exit_code}:\n"
                            f"{steps['a'].stderr_tail}")
            break
        steps["a"].note = f"inserted {json.loads(out.splitlines()[-1])['inserted']:,}"
        if import_help is None:
            continue
        _remove_db(store)
        for k, stem in (("b", "b-import"), ("c", "c-reimport")):
            step = steps[k]
            run_step(step, import_cmd, logs / stem)
            rows = stored_events(store)
            step.note = f"events in store {rows:,}" if rows is not None else ""
            if not step.ok:
                problems.append(f"{step.label} exited {step.exit_code}:\n{step.stderr_tail}")
                break
            if rows is not None and rows != n:
                problems.append(f"{step.label}: the store holds {rows:,} events, expected {n:,}")
        if not (steps["b"].ok and steps["c"].ok):
            if not steps["c"].ran:
                steps["c"].note = "skipped: the first import failed"
            break

    if import_help is not None:
        # (d)
        if not a.with_recompute:
            steps["d"].note = "not run (use --with-recompute)"
        elif not steps["b"].ok:
            steps["d"].note = "skipped: the import failed"
        elif (recompute_help := command_help("recompute")) is None:
            steps["d"].note = "skipped: `progress recompute` not available"
        else:
            run_step(steps["d"], [*progress_cmd(), "--db", str(store),
                                  *with_quiet("recompute", recompute_help, [])],
                     logs / "d-recompute")
            if not steps["d"].ok:
                problems.append(f"{steps['d'].label} exited {steps['d'].exit_code}:\n"
                                f"{steps['d'].stderr_tail}")

    # report
    print(f"{'step':<28}{'wall s':>9}{'events/s':>12}{'peak MB':>13}{'exit':>6}  note")
    for s in steps.values():
        eps = n / s.wall_s if s.ran and s.wall_s > 0 else None
        print(f"{s.label:<28}{fmt(s.wall_s, '.2f'):>9}{fmt(eps, ',.0f'):>12}"
              f"{fmt(s.rss_mb, '.1f'):>13}{fmt(s.exit_code, 'd'):>6}  {s.note}")
    print()

    failed = False

    def verdict(name: str, value: float | None, shown: str, target: str, ok: bool | None):
        nonlocal failed
        word = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
        failed |= ok is False
        print(f"{name:<24}{shown if value is not None else '-':>10}   target {target:<10}{word}")

    base = steps["a"].wall_s if steps["a"].ok else None
    for k, name, target in (("b", "import / baseline", IMPORT_RATIO_TARGET),
                            ("c", "re-import / baseline", REIMPORT_RATIO_TARGET),
                            ("d", "recompute / baseline", RECOMPUTE_RATIO_TARGET)):
        s = steps[k]
        if k == "d" and not s.ran:
            continue
        if not s.ran or base is None:
            verdict(name, None, "", f"<= {target}x", None)
        else:
            ratio = s.wall_s / base
            verdict(name, ratio, f"{ratio:.2f}x", f"<= {target}x", s.ok and ratio <= target)
    for k, name in (("b", "peak memory import"), ("c", "peak memory re-import")):
        s = steps[k]
        verdict(name, s.rss_mb, f"{fmt(s.rss_mb, '.1f')} MB", f"< {RSS_TARGET_MB:.0f} MB",
                None if not s.ran else (s.ok and s.rss_mb < RSS_TARGET_MB))

    if problems:
        print("\nProblems:")
        for msg in dict.fromkeys(problems):
            print("- " + msg.replace("\n", "\n    "))

    if a.keep:
        print(f"\nkept: {base_db}, {store}, logs in {logs}")
    else:
        _remove_db(base_db)
        _remove_db(store)
        shutil.rmtree(logs, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
