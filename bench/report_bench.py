"""Report benchmark: weekly reports for 1,000 learners as Markdown and as PDF, on a large store.

    python bench/report_bench.py                          # 1M events, 10k learners, 1,000 reports
    python bench/report_bench.py --events 100000 --reports 200   # a quick run
    python bench/report_bench.py --fresh                  # rebuild the cached store

One run:

1. reuses (or generates) the synthetic export of `gen_events.py`, `events-N-v1.jsonl` in the
   work dir, the file `import_bench.py` caches too;
2. builds a store from it once (`progress init --catalog` with a catalog that matches the
   generated modules, tasks and skills, then `progress import --no-recompute`), kept in the
   work dir as `report-store-N.db` for the next runs (`--fresh` rebuilds it);
3. in this process, through the services and renderers `progress report` uses: plans the
   weekly report of the last complete week (as of the data's last day) for the first
   `--reports` learners, computes the report objects (one query and two analyses for the
   whole batch), then renders and writes each report as Markdown, then as PDF.

It prints the time per report: computing (the batch's time divided by the reports), then
rendering and writing each format (mean, median, 95th percentile), and per learner the sum
of the two, against the targets: Markdown < 20 ms and PDF < 150 ms. The first PDF of a
process also builds the compact font (cached afterwards); it is shown apart.
Exit code: 0 when both targets are met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
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

TARGET_MD_MS = 20.0
TARGET_PDF_MS = 150.0
AS_OF = "2026-07-03"  # the last day of gen_events' default 180 days from 2026-01-05
SEED = 20260105  # gen_events' default seed: the catalog below matches its modules and tasks
CATALOG_VERSION = 2  # part of the cached store's name: bump when catalog_toml changes


def catalog_toml(n_modules: int = 12, n_skills: int = 40) -> str:
    """A catalog for the generated data: its skills, modules and tasks, a target date, a
    certification (so recommendations have requirements to weigh) and a few achievements."""
    from gen_events import _Catalog

    generated = _Catalog(random.Random(SEED), n_modules, n_skills)
    lines = ["weekly_goal_minutes = 150", "streak_min_minutes = 10", ""]
    for skill in generated.skills:
        lines += ["[[skills]]", f'id = "{skill}"', f'name = "Skill {skill[-2:]}"', ""]
    for m, module_id in enumerate(generated.modules):
        tasks = ", ".join(f'{{ id = "{t}", skills = ["{s}"], difficulty = {d} }}' for t, s, d in generated.tasks[m])
        lines += ["[[modules]]", f'id = "{module_id}"', f'title = "Module {m + 1}"', "pass_mark = 70"]
        if m == n_modules - 1:
            lines.append("target_date = 2026-09-30")
        lines += [f"tasks = [{tasks}]", ""]
    scores = ", ".join(f'"{m}" = 75' for m in generated.modules[:3])
    mastery = ", ".join(f'"{s}" = 70' for s in generated.skills[:4])
    lines += ["[certification]", 'name = "Bench certificate"', "min_completion = 80",
              f"module_scores = {{ {scores} }}", f"skill_mastery = {{ {mastery} }}", ""]
    achievements = [("streak-7", "streak", "streak_days >= 7"), ("sessions-20", "milestone", "sessions >= 20"),
                    ("hours-10", "milestone", "total_hours >= 10"), ("halfway", "milestone", "total_progress >= 50"),
                    ("goal-weeks-4", "streak", "weekly_goal_weeks >= 4"),
                    ("first-mastery", "mastery", "skill_mastery[any] >= 85"),
                    ("module-1-done", "completion", f"module_completion[{generated.modules[0]}] >= 100")]
    for aid, kind, requirement in achievements:
        lines += ["[[achievements]]", f'id = "{aid}"', f'type = "{kind}"', f'name = "{aid}"', "points = 10",
                  f'requirement = "{requirement}"', ""]
    return "\n".join(lines)


def prepare_store(workdir: Path, n_events: int, fresh: bool, n_learners: int | None = None,
                  label: str = "report") -> tuple[Path, str]:
    """The generated export and a store built from it, cached in `workdir` (gen_events' default
    learners unless `n_learners`; `label` names the store file)."""
    from gen_events import GENERATOR_VERSION, generate

    learners = "" if n_learners is None else f"-{n_learners}"
    source = workdir / f"events-{n_events}{learners}-v{GENERATOR_VERSION}.jsonl"
    if not source.exists():
        part = source.with_suffix(".jsonl.part")
        generate(part, n_events, **({} if n_learners is None else {"n_learners": n_learners}))
        os.replace(part, source)
    store = workdir / f"{label}-store-{n_events}{learners}-c{CATALOG_VERSION}.db"
    done = store.with_suffix(".db.complete")
    if done.exists() and store.exists() and not fresh:
        return store, "cached"
    for suffix in ("", "-wal", "-shm", ".complete"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    catalog = workdir / "report-catalog.toml"
    catalog.write_text(catalog_toml(), encoding="utf-8")
    started = time.perf_counter()
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PROGRESS_DB", None)
    for args in (["init", "--catalog", str(catalog)], ["import", str(source), "--no-recompute", "--quiet"]):
        subprocess.run([sys.executable, "-m", "progress_cli", "--db", str(store), "--tz", "UTC", *args],
                       check=True, cwd=REPO_DIR, env=env)
    done.write_text("ok\n", encoding="utf-8")
    return store, f"built in {time.perf_counter() - started:.0f} s"


def timed_render(reports, fmt: str, folder: Path) -> list[float]:
    """Render and write each report; seconds per report."""
    from progress_cli.render.report_formats import EXTENSIONS, render_report
    from progress_cli.services.output_files import report_name, write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    times = []
    for report in reports:
        started = time.perf_counter()
        rendered = render_report(report, fmt)
        write_atomic(folder / report_name(report["learner"]["id"], report["period"]["label"], EXTENSIONS[fmt]),
                     rendered.data)
        times.append(time.perf_counter() - started)
    return times


def summary(times: list[float]) -> tuple[float, float, float]:
    ms = sorted(t * 1000 for t in times)
    return statistics.fmean(ms), statistics.median(ms), ms[min(len(ms) - 1, int(0.95 * len(ms)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the store (default 1,000,000)")
    parser.add_argument("--reports", type=int, default=1000, help="weekly reports to render (default 1,000)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="cache of the export and the store (default: progress-cli-bench in the temp dir)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the store")
    parser.add_argument("--keep", action="store_true", help="keep the rendered reports")
    args = parser.parse_args(argv)

    workdir = (args.workdir or Path(tempfile.gettempdir()) / "progress-cli-bench").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "reports"
    shutil.rmtree(out, ignore_errors=True)
    os.environ["PROGRESS_CACHE_DIR"] = str(workdir / "cache")  # the font cut, as a user's cache holds it
    print(f"progress-cli report bench: weekly reports of {args.reports:,} learners, store of {args.events:,} events")
    print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")
    store, origin = prepare_store(workdir, args.events, args.fresh)
    print(f"store {store.name} ({store.stat().st_size / 2**20:.0f} MB, {origin})")

    from progress_cli.services.reports import plan_reports

    tz = ZoneInfo("UTC")
    started = time.perf_counter()
    run = plan_reports(str(store), tz=tz, kind="week", value=None, as_of=AS_OF, learner_id=None)
    total_learners = len(run.learner_ids)
    run.learner_ids = run.learner_ids[:args.reports]
    reports = list(run)
    compute = time.perf_counter() - started
    n = len(reports)
    events = sum(len(r["charts"]["curve"]) for r in reports)
    print(f"period {run.period.label} (as of {AS_OF}); {n:,} of {total_learners:,} learners, "
          f"{events:,} scored attempts among them")
    print(f"computed {n:,} report objects in {compute:.2f} s: {compute / n * 1000:.1f} ms per report")
    print()

    md = timed_render(reports, "md", out / "md")
    pdf = timed_render(reports, "pdf", out / "pdf")
    per_compute = compute / n * 1000
    rows = [("markdown", md, TARGET_MD_MS), ("pdf", pdf[1:] or pdf, TARGET_PDF_MS)]
    print(f"{'format':<10}{'render mean':>13}{'median':>9}{'p95':>9}{'per learner':>14}{'target':>10}  result")
    failed = False
    for name, times, target in rows:
        mean, median, p95 = summary(times)
        per_learner = per_compute + mean
        ok = per_learner < target
        failed |= not ok
        print(f"{name:<10}{mean:>10.1f} ms{median:>6.1f} ms{p95:>6.1f} ms{per_learner:>11.1f} ms{target:>7.0f} ms  "
              f"{'PASS' if ok else 'FAIL'}")
    print(f"(first PDF of the process: {pdf[0] * 1000:.0f} ms, font included; per learner = computing + rendering; "
          f"files: md {statistics.fmean(p.stat().st_size for p in (out / 'md').iterdir()) / 1024:.0f} KB, "
          f"pdf {statistics.fmean(p.stat().st_size for p in (out / 'pdf').iterdir()) / 1024:.0f} KB on average)")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    else:
        print(f"reports kept in {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
