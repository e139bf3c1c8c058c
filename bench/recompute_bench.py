"""Recompute benchmark: a full `progress recompute` against the import baseline, on one store.

One run generates (or reuses) the JSON Lines export of the import benchmark (bench/gen_events.py,
N events, cached in the work dir), builds a store from it with
`progress --db STORE --tz UTC --quiet import FILE --no-recompute` (timed, reported, no target),
then times, each step in its own child process so that its peak RSS is its own:

  (a) the baseline import of bench/import_bench.py (stdlib json + sqlite3, a fresh table);
  (b) progress --db STORE --tz UTC --quiet recompute   (every learner: skill, module and overall
      progress, daily aggregates, streaks, sessions, forecast samples, risks; with the default
      --jobs, and once more for each N of the bench's --jobs N...);
  (c) progress --db STORE --tz UTC import SESSION.jsonl   (one new 20-event session of one
      existing learner; the import recomputes that learner);
  (d) progress --db STORE --tz UTC status LEARNER, and (e) the same with --json.

It prints wall seconds and peak RSS per step, the ratio recompute / baseline, and the targets
(recompute with the default jobs <= 0.6x baseline, recompute peak RSS < 600 MB, session
import < 1.5 s, status < 1.0 s) with PASS or FAIL, and the load average before and after.
Exit code: 0 when no target failed, 1 when one did.

    python bench/recompute_bench.py --events 100000         # quick run
    python bench/recompute_bench.py                         # 1,000,000 events
    python bench/recompute_bench.py --jobs 1 2 --repeat 3   # one process against two
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_bench import (  # noqa: E402  (bench/ is not a package)
    BENCH_DIR,
    COLUMNS,
    Step,
    _remove_db,
    command_help,
    fmt,
    prepare_file,
    progress_cmd,
    run_step,
    stored_events,
)

RECOMPUTE_RATIO_TARGET = 0.6  # issue 14: with the default --jobs, on 2 cores
RECOMPUTE_RSS_TARGET_MB = 600.0
SESSION_IMPORT_TARGET_S = 1.5
STATUS_TARGET_S = 1.0
SESSION_ATTEMPTS = 18  # + session_start + session_end = 20 events
TZ = ["--tz", "UTC"]

DERIVED = ("learner_progress", "module_progress", "skill_progress", "daily_activity", "sessions")


# --------------------------------------------------------------------------- the new session

def pick_learner(src: Path) -> dict:
    """The most active learner of the export, with what a new session of theirs needs.

    Returns learner_id, name, events (their count in the file), the module of their last
    attempt and the tasks they attempted in it (task_id, skill, difficulty), how they write
    timestamps (a UTC offset, or Z), their mean attempt score there, and the last UTC day of
    the whole file.
    """
    counts: Counter[str] = Counter()
    last_utc = None
    fromiso = dt.datetime.fromisoformat
    with open(src, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)
            counts[e["learner_id"]] += 1
            t = fromiso(e["timestamp"])
            if last_utc is None or t > last_utc:
                last_utc = t
    if not counts:
        raise SystemExit(f"{src.name} holds no events")
    learner_id = min(counts, key=lambda k: (-counts[k], k))

    mine = []
    needle = f'"{learner_id}"'
    with open(src, encoding="utf-8") as f:
        for line in f:
            if needle in line:
                e = json.loads(line)
                if e["learner_id"] == learner_id:
                    mine.append(e)
    mine.sort(key=lambda e: fromiso(e["timestamp"]))
    attempts = [e for e in mine if e["type"] == "attempt" and e.get("task_id")]
    last = attempts[-1] if attempts else mine[-1]
    module_id = last["module_id"]
    tasks = {}
    scores = []
    for e in attempts:
        if e["module_id"] == module_id:
            tasks[e["task_id"]] = (e["task_id"], e.get("skill"), e.get("difficulty"))
            if e.get("score") is not None:
                scores.append(e["score"])
    stamp = mine[-1]["timestamp"]
    return {
        "learner_id": learner_id,
        "name": next((e["learner_name"] for e in reversed(mine) if e.get("learner_name")), None),
        "events": counts[learner_id],
        "module_id": module_id,
        "tasks": sorted(tasks.values()) or [(f"{module_id}-bench", None, 3)],
        "zulu": stamp.endswith("Z"),
        "tzinfo": fromiso(stamp).tzinfo,
        "mean_score": sum(scores) / len(scores) if scores else 70.0,
        "last_day": last_utc.astimezone(dt.UTC).date(),
    }


def write_session(path: Path, learner: dict, day: dt.date, seed: int) -> None:
    """One new session of the learner on `day` (UTC): start, 18 attempts, end; new UUIDs."""
    rng = random.Random(seed)
    t = dt.datetime(day.year, day.month, day.day, 10, 0, 0, tzinfo=dt.UTC)
    session_id = str(uuid.uuid4())

    def stamp(when: dt.datetime) -> str:
        s = when.astimezone(learner["tzinfo"]).isoformat()
        return s[:-6] + "Z" if learner["zulu"] and s.endswith("+00:00") else s

    def event(kind: str, when: dt.datetime, task=None, score=None, duration=None) -> dict:
        task_id, skill, difficulty = task or (None, None, None)
        values = {"event_id": str(uuid.uuid4()), "learner_id": learner["learner_id"],
                  "learner_name": learner["name"], "session_id": session_id,
                  "module_id": learner["module_id"], "task_id": task_id, "skill": skill,
                  "type": kind, "timestamp": stamp(when), "score": score,
                  "duration_s": duration, "difficulty": difficulty if task else None}
        return {c: values[c] for c in COLUMNS}

    events = [event("session_start", t)]
    for _ in range(SESSION_ATTEMPTS):
        t += dt.timedelta(seconds=rng.randrange(5, 60))
        duration = rng.randrange(60, 400)
        score = round(min(100.0, max(0.0, rng.gauss(learner["mean_score"], 10))), 1)
        events.append(event("attempt", t, rng.choice(learner["tasks"]), score, duration))
        t += dt.timedelta(seconds=duration)
    events.append(event("session_end", t + dt.timedelta(seconds=30)))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- sanity checks

def settle() -> None:
    """Write out what the previous step left in the page cache (the baseline's 200 MB file), so
    that the disk's writeback is not timed as part of the next step."""
    if hasattr(os, "sync"):
        os.sync()


def load() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them (the machine may be shared)."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def derived_rows(db: Path) -> dict[str, int] | None:
    """Rows of the derived tables after a recompute (read after the timing; not timed)."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in DERIVED}
        finally:
            con.close()
    except sqlite3.Error:
        return None


# --------------------------------------------------------------------------- the run

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=1_000_000, help="events to generate "
                   "(default 1,000,000; 100,000 for a quick run)")
    p.add_argument("--workdir", type=Path, default=None, help="where the generated file is "
                   "cached and the store is written (default: progress-cli-bench in the "
                   "system temp dir, shared with import_bench.py)")
    p.add_argument("--keep", action="store_true", help="keep the databases and logs")
    p.add_argument("--repeat", type=int, default=1, metavar="K",
                   help="run (a)-(e) K times, in rounds, and report the best wall time and "
                   "the highest peak RSS of each (default 1)")
    p.add_argument("--jobs", type=int, nargs="+", default=[], metavar="N",
                   help="also time `recompute --jobs N` for each N, after the default one, in "
                   "each round (e.g. --jobs 1 2)")
    a = p.parse_args(argv)

    workdir = (a.workdir or Path(tempfile.gettempdir()) / "progress-cli-bench").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    n = a.events
    src, origin = prepare_file(workdir, n)
    base_db = workdir / f"recompute-baseline-{n}.db"
    store = workdir / f"recompute-store-{n}.db"
    logs = workdir / f"recompute-logs-{n}"
    logs.mkdir(exist_ok=True)

    print(f"progress-cli recompute bench: {n:,} events, {src.name} "
          f"({src.stat().st_size / 1e6:.1f} MB, {origin})")
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, load average {load()}")

    learner = pick_learner(src)
    lid = learner["learner_id"]
    print(f"session learner {lid} ({learner['events']:,} events in the file, the most active), "
          f"{SESSION_ATTEMPTS + 2} new events in {learner['module_id']} "
          f"from {learner['last_day'] + dt.timedelta(days=1)} (UTC)")
    print(flush=True)

    recomputes = {"b": [], **{f"b{j}": ["--jobs", str(j)] for j in a.jobs}}  # step -> its options
    steps = {k: Step(label) for k, label in (
        ("s", "(setup) import --no-recompute"), ("a", "(a) baseline json+sqlite3"),
        *((k, " ".join(["(b) progress recompute", *o])) for k, o in recomputes.items()),
        ("c", "(c) import 1 session"), ("d", "(d) status LEARNER"), ("e", "(e) status LEARNER --json"))}
    problems: list[str] = []

    def check(step: Step) -> bool:
        if not step.ok:
            problems.append(f"{step.label} exited {step.exit_code}:\n{step.stderr_tail}")
        return step.ok

    prog = [*progress_cmd(), "--db", str(store), *TZ]
    baseline_cmd = [sys.executable, str(BENCH_DIR / "import_bench.py"),
                    "--baseline-only", str(src), str(base_db)]
    missing = [c for c in ("import", "recompute", "status") if command_help(c) is None]
    if missing:
        for k in steps:
            if k != "a":
                steps[k].note = f"skipped: `progress {' '.join(missing)}` not available"

    # the store: built once, timed for information (no target)
    if not missing:
        _remove_db(store)
        run_step(steps["s"], [*prog, "--quiet", "import", str(src), "--no-recompute"],
                 logs / "setup-import")
        rows = stored_events(store)
        steps["s"].note = f"events in store {rows:,}" if rows is not None else ""
        if check(steps["s"]) and rows != n:
            problems.append(f"{steps['s'].label}: the store holds {rows} events, expected {n:,}")
        if not steps["s"].ok:
            for k in steps:
                if k not in "sa":
                    steps[k].note = "skipped: building the store failed"

    # rounds of (a)-(e); each round imports a new session, a day after the previous one
    expected = n
    for r in range(a.repeat):
        settle()
        out = run_step(steps["a"], baseline_cmd, logs / "a-baseline")
        if not check(steps["a"]):
            break
        steps["a"].note = f"inserted {json.loads(out.splitlines()[-1])['inserted']:,}"
        if missing or not steps["s"].ok:
            continue

        for k, options in recomputes.items():
            settle()
            run_step(steps[k], [*prog, "--quiet", "recompute", *options], logs / f"{k}-recompute")
            if not check(steps[k]):
                break
            counts = derived_rows(store)
            if counts is not None:
                steps[k].note = ", ".join(f"{t.split('_')[0]} {c:,}" for t, c in counts.items())
        if not all(steps[k].ok for k in recomputes):
            break

        session = logs / f"session-{r + 1}.jsonl"
        write_session(session, learner, learner["last_day"] + dt.timedelta(days=1 + r),
                      seed=r + 1)
        run_step(steps["c"], [*prog, "import", str(session)], logs / "c-session")
        if not check(steps["c"]):
            break
        expected += SESSION_ATTEMPTS + 2
        rows = stored_events(store)
        steps["c"].note = f"events in store {rows:,}" if rows is not None else ""
        if rows is not None and rows != expected:
            problems.append(f"{steps['c'].label}: the store holds {rows:,} events, "
                            f"expected {expected:,}")

        run_step(steps["d"], [*prog, "status", lid], logs / "d-status")
        if not check(steps["d"]):
            break
        out = run_step(steps["e"], [*prog, "status", lid, "--json"], logs / "e-status-json")
        if not check(steps["e"]):
            break
        try:
            doc = json.loads(out)
            steps["e"].note = (f"{len(doc.get('modules', []))} modules, "
                               f"{len(doc.get('skills', []))} skills")
            if doc["learner"]["id"] != lid:
                problems.append(f"{steps['e'].label}: learner {doc['learner']['id']!r}")
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{steps['e'].label}: stdout is not the expected JSON ({exc})")

    # report
    print(f"{'step':<32}{'wall s':>9}{'peak RSS MB':>13}{'exit':>6}  note")
    for s in steps.values():
        print(f"{s.label:<32}{fmt(s.wall_s, '.2f'):>9}{fmt(s.rss_mb, '.1f'):>13}"
              f"{fmt(s.exit_code, 'd'):>6}  {s.note}".rstrip())
    print()

    failed = False

    def verdict(name: str, shown: str | None, target: str, ok: bool | None) -> None:
        nonlocal failed
        word = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
        failed |= ok is False
        print(f"{name:<26}{shown or '-':>10}   target {target:<10}{word}")

    base, rec = steps["a"], steps["b"]
    if base.ok and rec.ran:
        ratio = rec.wall_s / base.wall_s
        verdict("recompute / baseline", f"{ratio:.2f}x", f"<= {RECOMPUTE_RATIO_TARGET}x",
                rec.ok and ratio <= RECOMPUTE_RATIO_TARGET)
    else:
        verdict("recompute / baseline", None, f"<= {RECOMPUTE_RATIO_TARGET}x", None)
    for k, options in recomputes.items():
        s = steps[k]
        if options and base.ok and s.ran:
            print(f"{' '.join(options) + ' / baseline':<26}{s.wall_s / base.wall_s:>9.2f}x   (information)")
    verdict("peak RSS recompute", rec.ran and f"{rec.rss_mb:.1f} MB",
            f"< {RECOMPUTE_RSS_TARGET_MB:.0f} MB",
            None if not rec.ran else rec.ok and rec.rss_mb < RECOMPUTE_RSS_TARGET_MB)
    for k, name, target in (("c", "import 1 session", SESSION_IMPORT_TARGET_S),
                            ("d", "status", STATUS_TARGET_S),
                            ("e", "status --json", STATUS_TARGET_S)):
        s = steps[k]
        verdict(name, s.ran and f"{s.wall_s:.2f} s", f"< {target} s",
                None if not s.ran else s.ok and s.wall_s < target)

    print(f"\nload average at the end {load()}")
    if problems:
        print("\nProblems:")
        for msg in dict.fromkeys(problems):
            print("- " + msg.replace("\n", "\n    "))

    if a.keep:
        print(f"\nkept: {base_db}, {store}, logs and sessions in {logs}")
    else:
        _remove_db(base_db)
        _remove_db(store)
        shutil.rmtree(logs, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
