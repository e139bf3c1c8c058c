"""`progress import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from progress_cli.cli.options import ImportFormat, JsonOut, Quiet
from progress_cli.cli.output import console, emit_json
from progress_cli.errors import ExitCode, UnknownFormat, UsageError


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
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE...", help="Export files: JSON Lines, CSV, JSON, xAPI, Caliper or Open edX tracking logs (also gzipped).")],
    fmt: Annotated[ImportFormat, typer.Option("--format", help="The files' format; auto: by extension and content.")] = ImportFormat.auto,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing (no rejects file either).")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Keep nothing from a file that has any rejected row.")] = False,
    rejects: Annotated[Optional[Path], typer.Option("--rejects", metavar="PATH", help="Write rejected rows here instead of <file>.rejects.jsonl.")] = None,
    no_recompute: Annotated[bool, typer.Option("--no-recompute", help="Skip recomputing progress (run `progress recompute` later).")] = False,
    column_map: Annotated[list[str], typer.Option("--map", metavar="FIELD=COLUMN",
                                                  help="Read FIELD from COLUMN (CSV and JSON Lines); repeatable.")] = [],
    json_out: JsonOut = False,
    quiet: Quiet = False,
) -> None:
    """Validate, de-duplicate and store events, one transaction per file; a summary per file; exit 3 if any row was rejected.

    A progress bar runs on a terminal. Afterwards progress is recomputed for the learners whose
    events changed (unless --no-recompute) and new achievements are printed.
    """
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.progress_bar import file_progress
    from progress_cli.services.importing import import_files
    from progress_cli.services.store_access import open_engine, stored_catalog

    settings = ctx.obj
    quiet = quiet or settings.quiet
    mapping = _column_map(column_map)
    engine = open_engine(settings.db)
    catalog = stored_catalog(engine)
    show_bar = not (quiet or json_out or settings.json)
    try:
        with file_progress(enabled=show_bar) as on_start:
            summary = import_files(engine, files, catalog=catalog, tz=settings.tz, fmt=fmt.value, dry_run=dry_run,
                                   strict=strict, rejects=rejects, column_map=mapping, on_start=on_start)
    except UnknownFormat as exc:
        raise UnknownFormat(f"{exc}; use --format to say what it is") from None
    learners, unlocked, unlocked_json = 0, [], []
    if not (dry_run or no_recompute) and summary.learners_touched:
        # pandas (~0.3 s, ~60 MB) only when progress is recomputed: a `--no-recompute` bulk
        # import, and the parsing workers it forks, stay small
        from progress_cli.services.recompute import recompute_learners, unlock_json

        recomputed = recompute_learners(engine, sorted(summary.learners_touched), catalog=catalog, tz=settings.tz)
        learners, unlocked = recomputed.learners, recomputed.unlocked
        unlocked_json = [unlock_json(u) for u in unlocked]
    engine.dispose()
    if json_out or settings.json:
        emit_json({
            "files": [{k: getattr(f, k) for k in ("path", "format", "read", "inserted", "duplicates", "rejected",
                                                  "skipped", "rejects_path", "committed")} for f in summary.files],
            "learners_recomputed": learners,
            "achievements_unlocked": unlocked_json,
        })
    elif not quiet:
        # Rich's tables (~20 ms) only when there is a summary to print: not for cron's --quiet
        from progress_cli.render.terminal import import_summary_table, print_unlocks

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
        elif learners:
            print_unlocks(out, unlocked)
            out.print(f"Recomputed {learners} learner(s).")
    if any(f.rejected for f in summary.files):
        raise typer.Exit(ExitCode.REJECTED)
