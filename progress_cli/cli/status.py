"""`progress status LEARNER`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from progress_cli.cli.output import console, emit_json


def status(
    ctx: typer.Context,
    learner: Annotated[str, typer.Argument(help="Learner id (see `progress learners`).")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Show the dashboard as it was at the end of this day (YYYY-MM-DD).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable dashboard (DESIGN section 8).")] = False,
) -> None:
    """Dashboard of one learner: progress, modules, skills, streak, this week, recommendations."""
    from progress_cli.services.status import learner_status

    settings = ctx.obj
    result = learner_status(settings.db, learner, tz=settings.tz, as_of=as_of)
    if json_out or settings.json:
        emit_json(result.payload)
    else:
        from progress_cli.render.status import status_view

        console().print(status_view(result.payload, result.completion))
