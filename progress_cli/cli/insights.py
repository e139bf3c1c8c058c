"""`progress insights LEARNER`."""

from __future__ import annotations

import typer

from progress_cli.cli.options import AsOf, JsonOut, LearnerArg
from progress_cli.cli.output import console, emit_json


def insights(ctx: typer.Context, learner: LearnerArg, as_of: AsOf = None, json_out: JsonOut = False) -> None:
    """Learning patterns, the learning curve, forecasts with 80% intervals, and recommendations drawn from them."""
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
