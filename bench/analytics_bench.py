"""Time the analytics on a synthetic million-event frame.

    python bench/analytics_bench.py [--events 1000000] [--learners 10000] [--seed 7] [--repeat K]

Builds, in memory, 12 modules x 10 tasks, 40 skills and 180 days of events (a third of the
events without session_id, half without duration_s, a third without skill so the catalog's
task skills are used; about 4 % fall after as_of), then prints the time of each analytics
function and the total. With --repeat K each function's best of K runs is shown (a shared
machine moves single runs by 20 % or more). No store is involved: this is the pure
computation that `recompute` runs on the frames it reads.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd

from progress_cli.analytics import (
    daily, module_progress, monthly, overall_progress, prepare_events, skill_progress, streaks,
    task_status, weekly,
)
from progress_cli.catalog import Catalog, Certification, Module, Skill, Task

N_MODULES, TASKS_PER_MODULE, N_SKILLS, N_DAYS = 12, 10, 40, 180
AS_OF = pd.Timestamp("2026-06-30T22:00:00Z")
TZ = "Europe/Paris"


def build_catalog() -> Catalog:
    skills = tuple(Skill(f"skill-{i:02d}", f"Skill {i}") for i in range(N_SKILLS))
    modules = tuple(
        Module(
            id=f"mod-{m:02d}",
            title=f"Module {m}",
            tasks=tuple(
                Task(f"mod-{m:02d}-t{t}", f"Task {t}",
                     skills=(skills[(m * 3 + t) % N_SKILLS].id, skills[(m * 3 + t + 1) % N_SKILLS].id))
                for t in range(TASKS_PER_MODULE)
            ),
        )
        for m in range(N_MODULES)
    )
    cert = Certification(name="Bench", min_completion=80,
                         module_scores={"mod-00": 80, "mod-01": 75},
                         skill_mastery={"skill-00": 70, "skill-05": 60})
    return Catalog(skills=skills, modules=modules, certification=cert, streak_min_minutes=5)


def build_events(n_events: int, n_learners: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    learner = rng.integers(0, n_learners, n_events)
    module = rng.integers(0, N_MODULES, n_events)
    task = rng.integers(0, TASKS_PER_MODULE, n_events)
    start = AS_OF - pd.Timedelta(days=N_DAYS)
    # Whole seconds, so ties in time (ordered by event_id) do happen.
    offset_s = rng.integers(0, N_DAYS * 86_400 + 7 * 86_400, n_events)  # some after as_of
    ts = pd.to_datetime(start.value + offset_s * 1_000_000_000, utc=True)
    kind = rng.choice(np.array(["attempt", "task_completed", "module_completed", "session_start"], dtype=object),
                      n_events, p=[0.8, 0.12, 0.02, 0.06])
    score = np.where(kind == "attempt", np.clip(rng.normal(70, 15, n_events), 0, 100).round(1), np.nan)
    duration = np.where(rng.random(n_events) < 0.5, rng.integers(30, 900, n_events).astype(float), np.nan)
    skill = np.where(rng.random(n_events) < 0.33, None,
                     np.char.add("skill-", np.char.zfill(rng.integers(0, N_SKILLS, n_events).astype(str), 2)))
    session = np.where(rng.random(n_events) < 0.33, None,
                       np.char.add("s-", (learner * 1000 + offset_s // 7200 % 1000).astype(str)))
    module_id = np.char.add("mod-", np.char.zfill(module.astype(str), 2))
    return pd.DataFrame({
        "event_id": np.char.add("ev-", np.arange(n_events).astype(str)).astype(object),
        "learner_id": np.char.add("learner-", learner.astype(str)).astype(object),
        "session_id": session.astype(object),
        "module_id": module_id.astype(object),
        "task_id": np.char.add(np.char.add(module_id, "-t"), task.astype(str)).astype(object),
        "skill": skill.astype(object),
        "type": kind,
        "ts": ts,
        "score": score,
        "duration_s": duration,
        "difficulty": rng.integers(1, 6, n_events).astype(float),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="best of K runs per function")
    args = parser.parse_args()

    catalog = build_catalog()
    t0 = time.perf_counter()
    events = build_events(args.events, args.learners, args.seed)
    print(f"built {len(events):,} events for {args.learners:,} learners in {time.perf_counter() - t0:.2f} s "
          f"(Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs)")

    best: dict[str, float] = {}

    def timed(name, fn, *a, **kw):
        start = time.perf_counter()
        result = fn(*a, **kw)
        best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
        return result

    for _ in range(max(args.repeat, 1)):
        prepared = timed("prepare_events", prepare_events, events, catalog, TZ, AS_OF)
        tasks = timed("task_status", task_status, prepared)
        skills = timed("skill_progress", skill_progress, prepared)
        timed("skill_progress(by_module)", skill_progress, prepared, by_module=True)
        modules = timed("module_progress", module_progress, prepared, tasks)
        timed("overall_progress", overall_progress, prepared, modules, skills)
        days = timed("daily", daily, prepared)
        timed("streaks", streaks, prepared, days)
        timed("weekly", weekly, prepared, days)
        timed("monthly", monthly, prepared, days, tasks)

    total = sum(best.values())
    for name, seconds in best.items():
        print(f"{name:28s} {seconds:7.3f} s")
    print(f"{'total':28s} {total:7.3f} s  ({total / args.learners * 1000:.3f} ms per learner, "
          f"{len(prepared.events):,} events as of {AS_OF.isoformat()})")


if __name__ == "__main__":
    main()
