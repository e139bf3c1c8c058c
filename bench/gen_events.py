"""Generate a synthetic session export (JSON Lines) for the benchmarks.

Deterministic for a given seed and arguments. The file looks like what a training platform
exports: one event per line with the fields of the event record (event_id, learner_id,
learner_name, session_id, module_id, task_id, skill, type, timestamp, score, duration_s,
difficulty), roughly chronological, each learner writing timestamps with the UTC offset of
their own zone (``Z``, ``+00:00``, ``+05:30``, ``-08:00``, ...).

Each session is a ``session_start``, a handful of scored ``attempt`` events, a
``task_completed`` the first time a task is passed, now and then a ``module_completed``, and a
``session_end``. About two thirds of all events are attempts.

Usage as a script::

    python bench/gen_events.py OUT.jsonl --events 100000

and from another bench::

    from gen_events import generate
    stats = generate(path, 1_000_000)
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import math
import os
import random
import sys
import time
import uuid
from pathlib import Path

# Bump when the output for the same arguments changes, so cached files are regenerated.
GENERATOR_VERSION = 1

# (text written in timestamps, offset in seconds, share of learners)
OFFSETS = [
    ("Z", 0, 20),
    ("+00:00", 0, 5),
    ("+01:00", 3600, 15),
    ("+02:00", 7200, 15),
    ("+03:00", 10800, 5),
    ("+05:30", 19800, 8),
    ("+08:00", 28800, 6),
    ("+09:00", 32400, 4),
    ("+10:00", 36000, 3),
    ("-03:00", -10800, 4),
    ("-05:00", -18000, 9),
    ("-06:00", -21600, 3),
    ("-08:00", -28800, 3),
]

FIRST_NAMES = [
    "Alice", "Bruno", "Chloé", "Dmitri", "Émile", "Fatima", "Günter", "Hana", "Ígor", "Jana",
    "Kofi", "Łucja", "Mateo", "Nuno", "Oksana", "Pål", "Quentin", "Rosa", "Søren", "Tomás",
    "Ülkü", "Vera", "Wen", "Ximena", "Yusuf", "Zoë",
    "Αλέξανδρος", "Ελένη", "Γιώργος", "Μαρία", "Νίκος", "Σοφία",
    "Анна", "Борис", "Виктория", "Дмитрий", "Екатерина", "Иван", "Ольга", "Сергей",
]
LAST_NAMES = [
    "Martin", "Dubois", "Müller", "Novák", "Kowalski", "García", "Rossi", "Johansson",
    "Nguyen", "O'Brien", "Smith-Jones", "da Silva", "Yılmaz", "Østergaard", "Şahin",
    "Παπαδόπουλος", "Γεωργίου", "Κωνσταντίνου",
    "Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов",
]


def _cum(weights):
    return list(itertools.accumulate(weights))


class _Catalog:
    """Modules, tasks and skills the generated learners work on."""

    def __init__(self, rng: random.Random, n_modules: int, n_skills: int):
        self.skills = [f"skill-{i:02d}" for i in range(1, n_skills + 1)]
        self.modules = [f"module-{i:02d}" for i in range(1, n_modules + 1)]
        # per module: list of (task_id, skill, difficulty)
        self.tasks: list[list[tuple[str, str, int]]] = []
        for m, module_id in enumerate(self.modules):
            n_tasks = rng.randint(8, 14)
            # a module covers a few neighbouring skills, so skills recur across modules
            width = max(3, n_skills // max(n_modules, 1) + 2)
            base = (m * n_skills) // max(n_modules, 1)
            own = [self.skills[(base + k) % n_skills] for k in range(width)]
            tasks = []
            for t in range(1, n_tasks + 1):
                difficulty = min(5, 1 + (t - 1) * 5 // n_tasks + rng.randint(0, 1))
                tasks.append((f"{module_id}-t{t:02d}", rng.choice(own), difficulty))
            self.tasks.append(tasks)


class _Learner:
    __slots__ = ("lid", "name_json", "off_text", "off_s", "hour", "ability", "growth",
                 "module", "done", "skill_attempts")

    def __init__(self, rng: random.Random, idx: int, n_modules: int):
        self.lid = f"L{idx:05d}"
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        self.name_json = json.dumps(name, ensure_ascii=False)
        i = bisect.bisect_right(_OFFSET_CUM, rng.random() * _OFFSET_CUM[-1])
        self.off_text, self.off_s, _ = OFFSETS[i]
        self.hour = rng.choice((7, 8, 12, 13, 17, 18, 19, 20, 20, 21, 21, 22))
        self.ability = rng.gauss(58, 12)
        self.growth = max(0.0, rng.gauss(7, 3))
        self.module = 0
        self.done = [set() for _ in range(n_modules)]
        self.skill_attempts: dict[str, int] = {}


_OFFSET_CUM = _cum(w for _, _, w in OFFSETS)


def generate(
    path: str | os.PathLike,
    n_events: int,
    n_learners: int = 10_000,
    n_modules: int = 12,
    n_skills: int = 40,
    days: int = 180,
    seed: int = 20260105,
    start: dt.date = dt.date(2026, 1, 5),
) -> dict:
    """Write exactly ``n_events`` events as JSON Lines to ``path``.

    Returns a dict of counts per event type plus ``events``, ``learners`` (learners that
    appear), ``bytes`` and ``seconds``.
    """
    if n_events < 0 or n_learners < 1 or n_modules < 1 or n_skills < 1 or days < 1:
        raise ValueError("counts must be positive")
    t_begin = time.perf_counter()
    rng = random.Random(seed)
    catalog = _Catalog(rng, n_modules, n_skills)
    learners = [_Learner(rng, i, n_modules) for i in range(1, n_learners + 1)]
    # a few very active learners, many occasional ones
    learner_cum = _cum(rng.lognormvariate(0, 0.8) for _ in learners)
    # fewer events at weekends; cumulative event targets per day, the last one exactly n
    day_w = [0.6 if (start + dt.timedelta(d)).weekday() >= 5 else 1.0 for d in range(days)]
    total_w = sum(day_w)
    targets = [round(n_events * w / total_w) for w in itertools.accumulate(day_w)]
    targets[-1] = n_events
    epoch0 = int(dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC).timestamp())

    date_cache: dict[int, str] = {}

    def stamp(epoch: int, learner: _Learner) -> str:
        local = epoch + learner.off_s
        day, sec = divmod(local, 86400)
        ds = date_cache.get(day)
        if ds is None:
            ds = date_cache[day] = dt.date.fromordinal(719163 + day).isoformat()
        h, rem = divmod(sec, 3600)
        m, s = divmod(rem, 60)
        return f'"{ds}T{h:02d}:{m:02d}:{s:02d}{learner.off_text}"'

    def new_uuid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    counts = dict.fromkeys(
        ("attempt", "task_completed", "module_completed", "session_start", "session_end"), 0)
    seen_learners: set[str] = set()

    def session(day: int, buf: list) -> None:
        rnd = rng.random
        learner = learners[bisect.bisect_right(learner_cum, rnd() * learner_cum[-1])]
        seen_learners.add(learner.lid)
        # mostly the current module, sometimes a review of an earlier one
        m = learner.module
        if m > 0 and rnd() < 0.15:
            m = rng.randrange(m)
        module_id = catalog.modules[m]
        tasks = catalog.tasks[m]
        done = learner.done[m]
        local_sec = (learner.hour * 3600 + rng.randrange(-5400, 5400)) % 86400
        t = epoch0 + day * 86400 + (local_sec - learner.off_s) % 86400
        sid = new_uuid()
        head = (f'","learner_id":"{learner.lid}","learner_name":{learner.name_json},'
                f'"session_id":"{sid}","module_id":"{module_id}",')

        def emit(kind: str, epoch: int, task: str, tail: str) -> None:
            counts[kind] += 1
            buf.append((epoch, f'{{"event_id":"{new_uuid()}{head}{task},"type":"{kind}",'
                               f'"timestamp":{stamp(epoch, learner)},{tail}}}'))

        no_task = '"task_id":null,"skill":null'
        no_values = '"score":null,"duration_s":null,"difficulty":null'
        emit("session_start", t, no_task, no_values)
        n_attempts = 1 + int(rng.expovariate(1 / 5.5))
        for _ in range(min(n_attempts, 30)):
            open_tasks = [k for k in range(len(tasks)) if k not in done] or range(len(tasks))
            k = open_tasks[0] if rnd() < 0.6 else rng.choice(open_tasks)
            task_id, skill, difficulty = tasks[k]
            task = f'"task_id":"{task_id}","skill":"{skill}"'
            n_prev = learner.skill_attempts.get(skill, 0)
            learner.skill_attempts[skill] = n_prev + 1
            mean = learner.ability + learner.growth * math.log1p(n_prev) - (difficulty - 3) * 4
            score = min(100.0, max(0.0, rng.gauss(mean, 11)))
            duration = max(15, int(rng.gammavariate(2.0, 60 + difficulty * 25)))
            t += rng.randrange(5, 60)
            emit("attempt", t, task,
                 f'"score":{score:.1f},"duration_s":{duration},"difficulty":{difficulty}')
            t += duration
            if score >= 70 and k not in done:
                done.add(k)
                emit("task_completed", t, task,
                     f'"score":null,"duration_s":null,"difficulty":{difficulty}')
                if len(done) == len(tasks):
                    emit("module_completed", t, no_task, no_values)
                    if m == learner.module and learner.module < n_modules - 1:
                        learner.module += 1
                    break
        t += rng.randrange(5, 120)
        emit("session_end", t, no_task, no_values)

    path = Path(path)
    written = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for day in range(days):
            buf: list[tuple[int, str]] = []
            while written + len(buf) < targets[day]:
                session(day, buf)
            buf.sort(key=lambda e: e[0])
            if written + len(buf) > n_events:
                # the export ends after exactly n_events (the last sessions may be cut short)
                for _, line in buf[n_events - written:]:
                    counts[json.loads(line)["type"]] -= 1
                del buf[n_events - written:]
            out.write("\n".join(line for _, line in buf))
            if buf:
                out.write("\n")
            written += len(buf)
    return {
        "events": written,
        "learners": len(seen_learners),
        **counts,
        "bytes": path.stat().st_size,
        "seconds": time.perf_counter() - t_begin,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="JSON Lines file to write")
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--learners", type=int, default=10_000)
    p.add_argument("--modules", type=int, default=12)
    p.add_argument("--skills", type=int, default=40)
    p.add_argument("--days", type=int, default=180)
    p.add_argument("--seed", type=int, default=20260105)
    p.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 1, 5),
                   help="first day, YYYY-MM-DD (UTC)")
    a = p.parse_args(argv)
    stats = generate(a.out, a.events, a.learners, a.modules, a.skills, a.days, a.seed, a.start)
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
