"""`progress insights LEARNER`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from progress_cli.cli.output import console, emit_json


def insights(
    ctx: typer.Context,
    learner: Annotated[str, typer.Argument(help="Learner id (see `progress learners`).")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Compute as at the end of this day (YYYY-MM-DD).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable patterns, forecasts and recommendations.")] = False,
) -> None:
    """Learning patterns, forecasts with 80% intervals, and recommendations for one learner."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.insights import learner_insights

    settings = ctx.obj
    result = learner_insights(settings.db, learner, tz=settings.tz, as_of=as_of)
    if json_out or settings.json:
        emit_json(result.payload)
    else:
        from progress_cli.render.insights import insights_view

        out = console()
        out.print(insights_view(result, width=out.width))
