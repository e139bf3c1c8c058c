"""One session into a big store: what a platform's hourly drip of events costs.

    python bench/session_import_bench.py                    # 1M-event store, 20-event sessions
    python bench/session_import_bench.py --events 100000    # a quick run

Reuses `report_bench.py`'s store of N generated events (built once, cached in the work dir),
copies it once and recomputes the copy (`session-store-N.db`, kept), then, `--repeat` times:
writes a new 20-event session (start, attempts on one task, end) of an existing learner, a day
after the store's last event, and runs `progress import FILE` on it as a user would: a child
process, with its recompute of that learner. The baseline, in the same run and in the same way,
is the start-up of the stack that command needs: `python -c "import typer, rich, sqlmodel,
pandas"`. Target (issue 14): the import at most 1.3x the baseline, best of the repeats each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from report_bench import prepare_store  # noqa: E402

TARGET = 1.3
BASELINE = "import typer, rich, sqlmodel, pandas"
SESSION_EVENTS = 20


def recomputed_copy(workdir: Path, n_events: int, fresh: bool) -> Path:
    """report_bench's store, copied once and recomputed: a store as `status` finds it."""
    source, _ = prepare_store(workdir, n_events, fresh)
    store = workdir / f"session-store-{n_events}.db"
    done = store.with_suffix(".db.complete")
    if done.exists() and store.exists() and not fresh:
        return store
    shutil.copyfile(source, store)
    _progress(store, "recompute")
    done.write_text("ok\n", encoding="utf-8")
    return store


def session_file(store: Path, folder: Path, learner: str, k: int) -> Path:
    """A 20-event session of `learner` on the task they last worked on, a day after the store's
    last event (each repeat a day later, with new event ids)."""
    with sqlite3.connect(store) as conn:
        module, task, skill, difficulty = conn.execute(
            "SELECT module_id, task_id, skill, difficulty FROM events WHERE learner_id = ? AND task_id IS NOT NULL "
            "ORDER BY timestamp DESC LIMIT 1", (learner,)).fetchone()
        last = conn.execute("SELECT max(timestamp) FROM events").fetchone()[0]
    start = dt.datetime.fromisoformat(last.replace("Z", "+00:00")) + dt.timedelta(days=1 + k)
    session = str(uuid.uuid4())

    def event(i: int, kind: str, **fields) -> dict:
        stamp = (start + dt.timedelta(minutes=2 * i)).isoformat()
        return {"event_id": str(uuid.uuid4()), "learner_id": learner, "session_id": session, "module_id": module,
                "task_id": None, "skill": None, "type": kind, "timestamp": stamp, "score": None,
                "duration_s": None, "difficulty": None, **fields}

    rows = [event(0, "session_start")]
    rows += [event(i, "attempt", task_id=task, skill=skill, difficulty=difficulty, score=50.0 + 2 * i,
                   duration_s=110) for i in range(1, SESSION_EVENTS - 1)]
    rows.append(event(SESSION_EVENTS - 1, "session_end"))
    path = folder / f"session-{k}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _progress(store: Path, *args: str) -> float:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PROGRESS_DB", None)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "progress_cli", "--db", str(store), "--tz", "UTC", *args],
                   check=True, cwd=REPO_DIR, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _baseline() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", BASELINE], check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the store (default 1,000,000)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "progress-cli-bench")
    parser.add_argument("--repeat", type=int, default=3, help="imports and baselines, best of each (default 3)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached stores")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    store = recomputed_copy(args.workdir, args.events, args.fresh)
    with sqlite3.connect(store) as conn:
        learner = conn.execute("SELECT learner_id FROM learners ORDER BY learner_id LIMIT 1").fetchone()[0]
    print(f"session import bench: {SESSION_EVENTS} events of {learner} into a {args.events:,}-event store")
    with tempfile.TemporaryDirectory() as folder:
        imports, baselines = [], []
        for k in range(args.repeat):
            baselines.append(_baseline())
            imports.append(_progress(store, "import", str(session_file(store, Path(folder), learner, k)), "--quiet"))
    base, best = min(baselines), min(imports)
    print(f"baseline  python -c {BASELINE!r}   best {base:.3f} s   runs {', '.join(f'{t:.3f}' for t in baselines)}")
    print(f"progress import (one session + recompute)  best {best:.3f} s   runs {', '.join(f'{t:.3f}' for t in imports)}")
    ratio = best / base
    print(f"import / baseline {ratio:.2f}x   target <= {TARGET}x   {'PASS' if ratio <= TARGET else 'FAIL'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
