"""`progress learners`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from progress_cli.cli.output import console, emit_json


def learners(
    ctx: typer.Context,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Show the state at the end of this day (YYYY-MM-DD).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable list (see README).")] = False,
) -> None:
    """List learners with overall progress, streak, readiness per module and last activity."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.terminal import learners_table
    from progress_cli.services.learners import list_learners

    settings = ctx.obj
    rows = list_learners(settings.db, tz=settings.tz, as_of=as_of)
    if json_out or settings.json:
        emit_json(rows)
    else:
        console().print(learners_table(rows, settings.tz))
