"""`progress recompute`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from progress_cli.cli.options import JsonOut
from progress_cli.cli.output import console, emit_json
from progress_cli.errors import ProgressError, UsageError


def _checked_shard(value: Optional[str]) -> Optional[str]:
    """Read --shard while the command line is parsed, so a bad value is a usage error naming it."""
    from progress_cli.services.shards import parse_shard

    if value is not None:
        try:
            parse_shard(value)
        except ProgressError as exc:
            raise UsageError(f"--shard: {exc}") from None
    return value


def recompute(
    ctx: typer.Context,
    learner: Annotated[Optional[list[str]], typer.Option("--learner", metavar="ID",
                                                         help="Only this learner (repeatable).")] = None,
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", metavar="N", min=1,
        help="Worker processes for the analysis (default: the CPUs, at most 8); 1 runs it in this process.")] = None,
    shard: Annotated[Optional[str], typer.Option(
        "--shard", metavar="K/N", callback=_checked_shard,
        help="Only the learners whose id hashes to K mod N: N machines against one PostgreSQL run 0/N to N-1/N.")] = None,
    json_out: JsonOut = False,
) -> None:
    """Rebuild the derived progress tables from the stored events (all learners, or some)."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.progress_bar import deferred_progress
    from progress_cli.render.terminal import print_unlocks
    from progress_cli.services.recompute import recompute_learners, unlock_json
    from progress_cli.services.shards import parse_shard
    from progress_cli.services.store_access import open_engine, require_learners, stored_catalog
    from progress_cli.services.workers import default_jobs

    settings = ctx.obj
    if learner and shard:
        raise UsageError("--shard splits a recompute of every learner; it cannot be combined with --learner")
    engine = open_engine(settings.db)
    if learner:
        require_learners(engine, learner)
    quiet = json_out or settings.json or settings.quiet
    with deferred_progress(not quiet, "Recomputing") as on_start:
        done = recompute_learners(engine, learner or None, catalog=stored_catalog(engine), tz=settings.tz,
                                  jobs=jobs or default_jobs(), shard=shard and parse_shard(shard), on_start=on_start)
    engine.dispose()
    if json_out or settings.json:
        emit_json({"learners_recomputed": done.learners,
                   "achievements_unlocked": [unlock_json(u) for u in done.unlocked]})
    elif not settings.quiet:
        out = console()
        print_unlocks(out, done.unlocked)
        out.print(f"Recomputed {done.learners} learner(s).")
