"""`progress import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from progress_cli.cli.output import console, emit_json
from progress_cli.errors import UsageError

EXIT_REJECTED = 3


def _column_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UsageError(f"--map expects FIELD=COLUMN, got {pair!r}")
        mapping[field.strip()] = column.strip()
    return mapping


def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Export files: JSON Lines, CSV, JSON, xAPI, Caliper or Open edX tracking logs (also gzipped).")],
    fmt: Annotated[str, typer.Option("--format", help="auto|jsonl|csv|json|xapi|caliper|edx (auto: by extension and content).")] = "auto",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing (no rejects file either).")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Keep nothing from a file that has any rejected row.")] = False,
    rejects: Annotated[Optional[Path], typer.Option("--rejects", help="Write rejected rows here instead of <file>.rejects.jsonl.")] = None,
    no_recompute: Annotated[bool, typer.Option("--no-recompute", help="Skip recomputing progress (run `progress recompute` later).")] = False,
    column_map: Annotated[list[str], typer.Option("--map", metavar="FIELD=COLUMN",
                                                  help="Read FIELD from COLUMN (CSV and JSON Lines); repeatable.")] = [],
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary; errors only.")] = False,
) -> None:
    """Validate, de-duplicate and store events; print a summary; exit 3 if any row was rejected."""
    from progress_cli.render.terminal import import_progress, import_summary_table, print_unlocks
    from progress_cli.services.importing import import_files
    from progress_cli.services.store_access import open_engine, stored_catalog
    from progress_cli.services.recompute import Recomputed, recompute_learners, unlock_json

    settings = ctx.obj
    quiet = quiet or settings.quiet
    mapping = _column_map(column_map)
    engine = open_engine(settings.db)
    catalog = stored_catalog(engine)
    show_bar = not (quiet or json_out or settings.json)
    with import_progress(enabled=show_bar) as on_start:
        summary = import_files(engine, files, catalog=catalog, tz=settings.tz, fmt=fmt, dry_run=dry_run,
                               strict=strict, rejects=rejects, column_map=mapping, on_start=on_start)
    recomputed = Recomputed()
    if not (dry_run or no_recompute) and summary.learners_touched:
        recomputed = recompute_learners(engine, sorted(summary.learners_touched), catalog=catalog, tz=settings.tz)
    engine.dispose()
    if json_out or settings.json:
        emit_json({
            "files": [{k: getattr(f, k) for k in ("path", "format", "read", "inserted", "duplicates", "rejected",
                                                  "skipped", "rejects_path", "committed")} for f in summary.files],
            "learners_recomputed": recomputed.learners,
            "achievements_unlocked": [unlock_json(u) for u in recomputed.unlocked],
        })
    elif not quiet:
        out = console()
        out.print(import_summary_table(summary.files, dry_run=dry_run))
        for f in summary.files:
            for reason, count in f.reasons.most_common(5):
                out.print(f"  {Path(f.path).name}: {count} × {reason}")
            if f.rejects_path:
                out.print(f"  rejected rows written to {f.rejects_path}")
            if not f.committed and not dry_run:
                out.print(f"  {Path(f.path).name}: nothing kept (--strict and rows were rejected)")
        if dry_run:
            out.print("Dry run: nothing was written.")
        elif recomputed.learners:
            print_unlocks(out, recomputed.unlocked)
            out.print(f"Recomputed {recomputed.learners} learner(s).")
    if any(f.rejected for f in summary.files):
        raise typer.Exit(EXIT_REJECTED)
