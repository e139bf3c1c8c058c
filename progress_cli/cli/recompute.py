"""`progress recompute`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from progress_cli.cli.options import JsonOut
from progress_cli.cli.output import console, emit_json


def recompute(
    ctx: typer.Context,
    learner: Annotated[Optional[list[str]], typer.Option("--learner", metavar="ID",
                                                         help="Only this learner (repeatable).")] = None,
    json_out: JsonOut = False,
) -> None:
    """Rebuild the derived progress tables from the stored events (all learners, or some)."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.terminal import print_unlocks
    from progress_cli.services.recompute import recompute_learners, unlock_json
    from progress_cli.services.store_access import open_engine, require_learners, stored_catalog

    settings = ctx.obj
    engine = open_engine(settings.db)
    if learner:
        require_learners(engine, learner)
    done = recompute_learners(engine, learner or None, catalog=stored_catalog(engine), tz=settings.tz)
    engine.dispose()
    if json_out or settings.json:
        emit_json({"learners_recomputed": done.learners,
                   "achievements_unlocked": [unlock_json(u) for u in done.unlocked]})
    elif not settings.quiet:
        out = console()
        print_unlocks(out, done.unlocked)
        out.print(f"Recomputed {done.learners} learner(s).")
