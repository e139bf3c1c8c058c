"""`progress status LEARNER`."""

from __future__ import annotations

import typer

from progress_cli.cli.options import AsOf, JsonOut, LearnerArg
from progress_cli.cli.output import console, emit_json


def status(ctx: typer.Context, learner: LearnerArg, as_of: AsOf = None, json_out: JsonOut = False) -> None:
    """Dashboard of one learner: summary, modules, skills with mastery bars, streak, this week against the weekly
    goal, recent sessions, achievements and the next milestones, recommendations."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.status import learner_status

    settings = ctx.obj
    result = learner_status(settings.db, learner, tz=settings.tz, as_of=as_of)
    if json_out or settings.json:
        emit_json(result.payload)
    else:
        from progress_cli.render.status import status_view

        console().print(status_view(result.payload, result.completion))
