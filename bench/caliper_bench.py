"""Caliper import benchmark: the same events as Caliper and as our JSON Lines, side by side.

One run generates N events in the shapes Open edX sends as Caliper 1.2 (templates taken at run
time from the real events in ../shared/data/openedx_events/caliper: GradeEvents with a Score,
AssessmentEvents, MediaEvents, NavigationEvents, a course Completed), written as sensor
envelopes of 100 events, one envelope a line (what a Caliper endpoint logs), and the very
same events as the event records of our JSON Lines format. Then, each in its own child
process and into a fresh store:

  (j) progress import EVENTS.jsonl --no-recompute --quiet
  (c) progress import EVENTS.caliper.jsonl --no-recompute --quiet

It prints wall seconds, events/s and peak RSS of each, the load average beside them (the
machine may be shared), checks that both stores hold the same events (every column but the
import id), and prints the ratio caliper / jsonl against the target (<= 1.5x). Exit code 0
when the target is met and the stores agree, 1 otherwise.

    python bench/caliper_bench.py --events 100000           # quick run
    python bench/caliper_bench.py                           # 1,000,000 events
    python bench/caliper_bench.py --container document      # one envelope, streamed by its data
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sqlite3
import sys
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from import_bench import Step, _remove_db, fmt, progress_cmd, run_step, stored_events  # noqa: E402

REAL = BENCH_DIR.parent.parent / "shared" / "data" / "openedx_events" / "caliper"
RATIO_TARGET = 1.5
PER_ENVELOPE = 100
GENERATOR_VERSION = 1
BASE = "http://localhost:18000"
CTX = "http://purl.imsglobal.org/ctx/caliper/v1p2"

# template file -> (share of events, the item it is about: problem | video | sequential | course)
SHAPES = {
    "problem_check(server).json": (18, "problem"),
    "problem_check(browser).json": (12, "problem"),
    "play_video.json": (20, "video"),
    "pause_video.json": (14, "video"),
    "load_video.json": (8, "video"),
    "stop_video.json": (5, "video"),
    "edx.ui.lms.sequence.next_selected.json": (22, "sequential"),
    "edx.course.grade.passed.first_time.json": (1, "course"),
}
# the strings of the real events that a generated event replaces
REAL_LEARNER = "32e08e30-f8ae-4ce2-94a8-c2bfe38a70cb"
REAL_COURSE = f"{BASE}/course/course-v1:edX+DemoX+Demo_Course"


class Template:
    """One real event as a str.format template: its ids, time, course, item, session and score."""

    def __init__(self, name: str, item_kind: str) -> None:
        event = json.loads((REAL / name).read_text(encoding="utf-8"))
        self.kind, self.action, self.item_kind = event["type"], event["action"], item_kind
        obj = event["object"]
        item = obj["extensions"]["assignable"]["id"] if event["type"] == "GradeEvent" else obj["id"]
        text = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        text = text.replace("{", "{{").replace("}", "}}")
        if "score" in event.get("generated", {}):
            score = event["generated"]["score"]
            text = text.replace(f'"scoreGiven":{score["scoreGiven"]}', '"scoreGiven":{given}')
            text = text.replace(f'"maxScore":{score["maxScore"]}', '"maxScore":{top}')
        for real, token in ((event["id"].removeprefix("urn:uuid:"), "{event_id}"), (event["eventTime"], "{time}"),
                            (event["session"]["id"].rsplit("/", 1)[-1], "{session}"), (REAL_COURSE, "{course}"),
                            (item, "{item}"), (REAL_LEARNER, "{learner}")):
            text = text.replace(real, token)
        self.text = text
        self.scored = "{given}" in text
        # what the Caliper mapping makes of it, as our event record (metadata keys in its order)
        self.object_is_item = obj["id"] == item
        self.type = {"GradeEvent": "attempt"}.get(self.kind, "module_completed" if item_kind == "course"
                                                   else self.action.lower())


def load_templates() -> list[tuple[Template, int]]:
    if not REAL.is_dir():
        sys.exit(f"needs the real Caliper events in {REAL} (the shapes the bench copies); not found")
    return [(Template(name, kind), share) for name, (share, kind) in SHAPES.items()]


def generate(caliper_path: Path, jsonl_path: Path, n: int, container: str, seed: int = 7) -> None:
    """Write n events twice: Caliper (envelopes or one document) and our JSON Lines."""
    rng = random.Random(seed)
    templates = load_templates()
    choices, weights = [t for t, _ in templates], [w for _, w in templates]
    learners = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(10_000)]
    courses = [f"{BASE}/course/course-v1:Acme+M{m:02d}+2026" for m in range(12)]
    items = {kind: [[f"{BASE}/xblock/block-v1:Acme+M{m:02d}+2026+type@{kind}+block@{kind[:3]}{i:03d}"
                     for i in range(count)] for m in range(12)]
             for kind, count in (("problem", 20), ("video", 10), ("sequential", 8))}
    start = datetime(2026, 1, 5, tzinfo=timezone.utc)
    with caliper_path.open("w", encoding="utf-8") as cal, jsonl_path.open("w", encoding="utf-8") as out:
        if container == "document":
            cal.write(f'{{"sensor":"{BASE}","sendTime":"2026-07-01T00:00:00.000Z","dataVersion":"{CTX}","data":[\n')
        batch: list[str] = []
        for i in range(n):
            t = rng.choices(choices, weights)[0]
            learner, m = rng.choice(learners), rng.randrange(12)
            moment = start + timedelta(seconds=i * 0.5 + rng.random() * 0.4)
            values = {"event_id": str(uuid.UUID(int=rng.getrandbits(128))),
                      "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
                      "session": hashlib.md5(f"{learner}{moment.date()}".encode()).hexdigest(),
                      "course": courses[m], "learner": learner,
                      "item": courses[m] if t.item_kind == "course" else rng.choice(items[t.item_kind][m])}
            score = None
            if t.scored:
                values["top"] = rng.choice([1, 2, 3, 4, 5, 10])
                values["given"] = rng.randint(0, values["top"])
                score = round(values["given"] / values["top"] * 100, 6)
            batch.append(t.text.format(**values))
            out.write(json.dumps(_record(t, values, score), ensure_ascii=False) + "\n")
            if len(batch) == PER_ENVELOPE or i == n - 1:
                cal.write(_container(batch, container, last=i == n - 1))
                batch = []
        if container == "document":
            cal.write("]}\n")


def _record(t: Template, v: dict, score: float | None) -> dict:
    learner = f"{BASE}/user/{v['learner']}"
    task = v["item"] if t.item_kind == "problem" else None
    obj = v["item"] if t.object_is_item else f"{v['item']}/user/{v['learner']}/attempt/10"  # the GradeEvent's Attempt
    return {"event_id": "urn:uuid:" + v["event_id"], "learner_id": learner,
            "session_id": f"{BASE}/sessions/{v['session']}", "module_id": v["course"], "task_id": task,
            "type": t.type, "timestamp": v["time"], "score": score,
            "metadata": {"caliper": t.kind, "action": t.action, "object": obj}}


def _container(batch: list[str], container: str, last: bool) -> str:
    if container == "events":
        return "".join(e + "\n" for e in batch)
    if container == "document":
        return ",\n".join(batch) + ("\n" if last else ",\n")
    return (f'{{"sensor":"{BASE}","sendTime":"2026-07-01T00:00:00.000Z","dataVersion":"{CTX}","data":['
            + ",".join(batch) + "]}\n")


def events_digest(db: Path) -> str:
    """A digest of every stored event's columns but the import id, in event_id order."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        for row in con.execute("SELECT event_id, learner_id, session_id, module_id, task_id, skill,"
                               " type, timestamp, score, duration_s, difficulty, metadata, voided"
                               " FROM events ORDER BY event_id"):
            digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        con.close()


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=1_000_000, help="events (default 1,000,000)")
    p.add_argument("--container", choices=("envelopes", "events", "document"), default="envelopes",
                   help="envelopes of 100 events a line (default), JSON Lines of bare events, or one envelope")
    p.add_argument("--repeat", type=int, default=1, metavar="K", help="K rounds of both imports; best of each")
    p.add_argument("--workdir", type=Path, default=None,
                   help="where the files are cached and the stores written (default: progress-cli-bench in the temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the stores and the steps' logs")
    a = p.parse_args(argv)
    n = a.events
    workdir = (a.workdir or Path(tempfile.gettempdir()) / "progress-cli-bench").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    stem = f"caliper-{n}-{a.container}-v{GENERATOR_VERSION}"
    caliper_path, jsonl_path = workdir / f"{stem}.caliper.jsonl", workdir / f"{stem}.events.jsonl"
    if not (caliper_path.exists() and jsonl_path.exists()):
        generate(caliper_path, jsonl_path, n, a.container)
    print(f"progress-cli Caliper bench: {n:,} events; Caliper {caliper_path.stat().st_size / 1e6:.0f} MB "
          f"({a.container}), JSON Lines {jsonl_path.stat().st_size / 1e6:.0f} MB")
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.system()} "
          f"{platform.machine()}, {os.cpu_count()} CPUs, {load()}", flush=True)
    steps = {"j": Step("(j) import JSON Lines"), "c": Step("(c) import Caliper")}
    stores = {"j": workdir / f"{stem}-jsonl.db", "c": workdir / f"{stem}-caliper.db"}
    files = {"j": jsonl_path, "c": caliper_path}
    loads: dict[str, list[str]] = {"j": [], "c": []}
    for _ in range(a.repeat):
        for key in ("j", "c"):
            _remove_db(stores[key])
            cmd = [*progress_cmd(), "--db", str(stores[key]), "import", str(files[key]), "--no-recompute", "--quiet"]
            run_step(steps[key], cmd, workdir / f"{stem}-{key}")
            loads[key].append(load().removeprefix("load average "))
    print(f"\n{'step':<26}{'wall s':>9}{'events/s':>12}{'peak RSS MB':>13}{'exit':>6}  load average after each run")
    for key, s in steps.items():
        eps = n / s.wall_s if s.ran and s.wall_s else None
        print(f"{s.label:<26}{fmt(s.wall_s, '.2f'):>9}{fmt(eps, ',.0f'):>12}{fmt(s.rss_mb, '.1f'):>13}"
              f"{fmt(s.exit_code, 'd'):>6}  {' | '.join(loads[key])}")
    ok = all(s.ok for s in steps.values())
    counts = {key: stored_events(stores[key]) for key in steps}
    same = ok and counts["j"] == counts["c"] == n and events_digest(stores["j"]) == events_digest(stores["c"])
    print(f"\nstores: {counts['j']:,} and {counts['c']:,} events; "
          f"{'the same events' if same else 'THEY DIFFER'} (every column but the import id)")
    ratio = steps["c"].wall_s / steps["j"].wall_s if ok else None
    verdict = "PASS" if ok and same and ratio <= RATIO_TARGET else "FAIL"
    print(f"caliper / jsonl: {fmt(ratio, '.2f')}x   target <= {RATIO_TARGET}x   {verdict}")
    if not a.keep:
        for key, db in stores.items():
            _remove_db(db)
            for suffix in (".out", ".err", ".rusage"):
                (workdir / f"{stem}-{key}{suffix}").unlink(missing_ok=True)
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
