"""Certificate benchmark: `cert issue --all-eligible` for N eligible learners (default 1,000).

Builds a store in which every learner meets the certification (one module of four tasks, two
skills, twenty attempts per skill scoring 82-98; names in Latin with diacritics, Greek and
Cyrillic), then issues every certificate in this process through the same service as
`progress cert issue --all-eligible --out DIR`, and prints:

- per certificate, PDF + credential: building the certificate, signing the VC-JWT and
  rendering the PDF (mean, median, 95th percentile), against the target of 100 ms;
- per certificate, the whole run: the above plus the analytics, the store writes (one
  transaction per learner) and the two files, i.e. the wall time of the run divided by N.

    python bench/cert_bench.py                    # 1,000 learners
    python bench/cert_bench.py --learners 200     # a quick run
    python bench/cert_bench.py --keep --workdir DIR

Exit code: 0 when the PDF + credential mean meets the target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))

TARGET_MS = 100.0
CATALOG = """
[[skills]]
id = "hazard-id"
name = "Hazard identification"

[[skills]]
id = "first-aid"
name = "First aid"

[[modules]]
id = "safety"
title = "Workplace safety"
pass_mark = 70
tasks = [
  { id = "hazards", title = "Spotting hazards", skills = ["hazard-id"] },
  { id = "aid", title = "First aid basics", skills = ["first-aid"] },
  "briefing",
  "debrief",
]

[certification]
name = "Certified Line Operator"
validity_years = 2
min_completion = 50
module_scores = { safety = 80 }
skill_mastery = { hazard-id = 80, first-aid = 80 }
"""
FIRST = ["Zoë", "José", "Łukasz", "Søren", "Ana", "Ngọc", "Дмитрий", "Ольга", "Αθηνά", "Γιώργος", "Mia", "Kenji"]
LAST = ["Ñúñez-Ølsen", "García", "Wójcik", "Þórsdóttir", "Иванов", "Петрова", "Παπαδοπούλου", "Οικονόμου",
        "Nguyễn", "Müller", "O'Connor", "Chen"]


def write_events(path: Path, learners: int, start: dt.datetime) -> int:
    """Twenty attempts per skill (82-98) and two completed tasks per learner; returns the event count."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for n in range(learners):
            learner = f"L{n:05d}"
            name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
            moment = start + dt.timedelta(minutes=n)
            rows = []
            for i in range(40):
                task = "hazards" if i % 2 == 0 else "aid"
                rows.append({"type": "attempt", "task_id": task, "score": 82 + (n + i * 7) % 17})
            rows += [{"type": "task_completed", "task_id": "briefing"}, {"type": "task_completed", "task_id": "debrief"}]
            for i, row in enumerate(rows):
                ts = (moment + dt.timedelta(seconds=30 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
                out.write(json.dumps({"learner_id": learner, "learner_name": name, "module_id": "safety",
                                      "session_id": f"{learner}-1", "timestamp": ts, **row},
                                     ensure_ascii=False) + "\n")
                count += 1
    return count


def build_store(workdir: Path, learners: int) -> Path:
    from typer.testing import CliRunner

    from progress_cli.cli import app

    db = workdir / "store.db"
    catalog = workdir / "catalog.toml"
    catalog.write_text(CATALOG, encoding="utf-8")
    events = workdir / "events.jsonl"
    write_events(events, learners, dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(days=3))
    runner = CliRunner()
    for args in (["init", "--catalog", str(catalog)], ["import", str(events), "--quiet"], ["keys", "init"]):
        result = runner.invoke(app, ["--db", str(db), "--tz", "UTC", *args])
        if result.exit_code != 0:
            raise SystemExit(f"progress {' '.join(args)} failed: {result.output}")
    return db


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the store and the certificates")
    args = parser.parse_args()

    from progress_cli.render.certificate_pdf import render_certificate_pdf
    from progress_cli.services.certs import issue_certificates

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="progress-cli-cert-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"progress-cli certificate bench: {args.learners:,} eligible learners")
    print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")
    try:
        started = time.perf_counter()
        db = build_store(workdir, args.learners)
        print(f"store built in {time.perf_counter() - started:.1f} s ({workdir})")
        started = time.perf_counter()
        outcome = issue_certificates(str(db), learner_id=None, out_dir=workdir / "certs", tz=ZoneInfo("UTC"),
                                     render_pdf=render_certificate_pdf)
        wall = time.perf_counter() - started
        issued = len(outcome.issued)
        if issued != args.learners:
            print(f"Problem: issued {issued} certificates, expected {args.learners} ({outcome.summary_line()})")
            return 1
        times_ms = sorted(t * 1000 for t in outcome.render_times)
        mean = statistics.fmean(times_ms)
        p95 = times_ms[min(len(times_ms) - 1, int(0.95 * len(times_ms)))]
        pdf_kb = statistics.fmean(Path(e["pdf"]).stat().st_size for e in outcome.issued) / 1024
        print(f"issued {issued:,} certificates in {wall:.1f} s: {outcome.summary_line()}")
        print()
        print(f"{'per certificate':34} {'mean ms':>8} {'median':>8} {'p95':>8}")
        print(f"{'PDF + credential':34} {mean:8.1f} {statistics.median(times_ms):8.1f} {p95:8.1f}")
        print(f"{'whole run (analytics, store, files)':34} {wall * 1000 / issued:8.1f}")
        print(f"average PDF size {pdf_kb:.1f} KiB")
        verdict = "PASS" if mean < TARGET_MS else "FAIL"
        print(f"\nPDF + credential {mean:.1f} ms   target < {TARGET_MS:.0f} ms   {verdict}")
        return 0 if verdict == "PASS" else 1
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
