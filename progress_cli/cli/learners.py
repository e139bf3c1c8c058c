"""`progress learners`."""

from __future__ import annotations

import typer

from progress_cli.cli.options import AsOf, JsonOut
from progress_cli.cli.output import console, emit_json


def learners(ctx: typer.Context, as_of: AsOf = None, json_out: JsonOut = False) -> None:
    """List learners with overall progress, streak, readiness per module, last activity and risk."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.learners import list_learners

    settings = ctx.obj
    rows = list_learners(settings.db, tz=settings.tz, as_of=as_of)
    if json_out or settings.json:
        emit_json(rows)
    else:
        from progress_cli.render.terminal import learners_table  # Rich's tables: not for --json

        console().print(learners_table(rows, settings.tz), crop=False)  # a pipe gets whole lines
