"""Mail benchmark: 1,000 weekly reports, PDF attached, sent to a local SMTP server (DESIGN 10).

    python bench/mail_bench.py                       # 1,000 learners, 200,000 events
    python bench/mail_bench.py --learners 200        # a quick run
    python bench/mail_bench.py --fresh               # rebuild the cached store

One run:

1. reuses (or generates with `gen_events.py`) an export of `--events` events over
   `--learners` learners, and builds a store from it once (`report_bench.py`'s way: `init
   --catalog` with its catalog, then `import`), kept in the work dir;
2. copies that store, and gives every learner an address with `progress roster import` (one
   name in five in Greek or Cyrillic);
3. starts an aiosmtpd server on 127.0.0.1 (the tests' `tests/smtp_server.py`);
4. times, as subprocesses of the real CLI: the baseline `report --week --all --format pdf
   --out DIR` (the same reports, written as files), then `report --week --all --email` (each
   report rendered as text, HTML and PDF and sent), then the same command again (everything
   already sent: nothing is computed or sent).

It prints the three times, the e-mail run against the baseline, the messages and the SMTP
connections the server saw, and checks the e-mail run against the target: under 120 s for
1,000 reports. Exit code: 0 when the target is met and every message arrived once.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(REPO_DIR))
sys.path.insert(0, str(BENCH_DIR))

TARGET_S_PER_1000 = 120.0
AS_OF = "2026-07-03"  # the last day of gen_events' default 180 days
NAMES = ("Zoë Ñúñez-Ølsen", "Дмитрий Иванов", "Αθηνά Παπαδοπούλου", "Łukasz Wójcik", "Ana Álvarez")


def progress(store: Path, *args: str, env: dict | None = None) -> tuple[float, str]:
    """Run the CLI on `store`; (seconds, stdout)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "progress_cli", "--db", str(store), "--tz", "UTC", *args],
                          cwd=REPO_DIR, env={**os.environ, "NO_COLOR": "1", **(env or {})},
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"progress {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return time.perf_counter() - started, done.stdout


def write_roster(store: Path, path: Path) -> int:
    import sqlite3

    with sqlite3.connect(store) as conn:
        ids = [row[0] for row in conn.execute("select learner_id from learners order by learner_id")]
    lines = ["learner_id,name,email,team,manager_email"]
    lines += [f"{lid},{NAMES[i % len(NAMES)]},{lid}@example.org,team-{i % 10},lead-{i % 10}@example.org"
              for i, lid in enumerate(ids)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000, help="learners, each sent one report (default 1,000)")
    parser.add_argument("--events", type=int, default=200_000, help="events in the store (default 200,000)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="cache of the export and the store (default: progress-cli-bench in the temp dir)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the store")
    args = parser.parse_args(argv)

    from tests.smtp_server import SmtpServer

    workdir = (args.workdir or Path(tempfile.gettempdir()) / "progress-cli-bench").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["PROGRESS_CACHE_DIR"] = str(workdir / "cache")  # the font cut, as a user's cache holds it
    print(f"progress-cli mail bench: weekly reports of {args.learners:,} learners by e-mail, "
          f"store of {args.events:,} events")
    print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    from report_bench import prepare_store

    built, origin = prepare_store(workdir, args.events, args.fresh, n_learners=args.learners, label="mail")
    print(f"store {built.name} ({built.stat().st_size / 2**20:.0f} MB, {origin})")
    run_dir = workdir / "mail-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir()
    store = run_dir / "store.db"
    shutil.copy(built, store)
    learners = write_roster(store, run_dir / "roster.csv")
    progress(store, "roster", "import", str(run_dir / "roster.csv"))
    week = ["report", "--week", "--all", "--as-of", AS_OF]

    baseline, _ = progress(store, *week, "--format", "pdf", "--out", f"{run_dir / 'pdf'}/")
    with SmtpServer() as server:
        env = server.env()
        first, line = progress(store, *week, "--email", env=env)
        rerun, line_again = progress(store, *week, "--email", env=env)
        received = server.messages()
        connections = server.connections()
    recipients = {m.rcpt_tos[0] for m in received}
    sizes = sorted(len(m.data) for m in received)
    print(f"period: the week before {AS_OF}; {learners:,} learners, each with an address")
    print()
    print(f"{'run':<44}{'seconds':>9}{'per report':>12}")
    for name, seconds in (("baseline: report --format pdf --out DIR", baseline), ("report --email", first),
                          ("report --email again (all already sent)", rerun)):
        print(f"{name:<44}{seconds:>9.1f}{seconds / learners * 1000:>9.1f} ms")
    print()
    print(f"e-mail run / baseline: {first / baseline:.2f}x")
    print(f"first run:  {line.strip()}")
    print(f"second run: {line_again.strip()}")
    print(f"server: {len(received):,} messages to {len(recipients):,} recipients over {connections} SMTP "
          f"connection(s); message size median {sizes[len(sizes) // 2] / 1024:.0f} KB" if sizes else "server: none")
    target = TARGET_S_PER_1000 * learners / 1000
    ok = first < target and len(received) == learners == len(recipients) and connections == 1
    print(f"target: {learners:,} reports by e-mail in under {target:.0f} s, one connection: {'PASS' if ok else 'FAIL'}")
    shutil.rmtree(run_dir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
