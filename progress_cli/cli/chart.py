"""`progress chart progress|skills|heatmap|curve LEARNER`."""

from __future__ import annotations

from typing import Annotated

import typer

from progress_cli.cli.options import AsOf, ChartKind, LearnerArg, json_option
from progress_cli.cli.output import console, emit_json


def chart(
    ctx: typer.Context,
    kind: Annotated[ChartKind, typer.Argument(
        help="progress (vs target, 30 days), skills (current level per skill), heatmap (practice, 90 days) "
             "or curve (every scored attempt).")],
    learner: LearnerArg,
    as_of: AsOf = None,
    # here --json replaces the drawing by the data it is drawn from: the help says so
    json_out: Annotated[bool, json_option("The chart's data instead of the drawing.")] = False,
) -> None:
    """One of the reports' charts of one learner in the terminal, its window ending on the --as-of day."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.reports import learner_charts

    settings = ctx.obj
    data = learner_charts(settings.db, learner, tz=settings.tz, as_of=as_of)
    if json_out or settings.json:
        emit_json({"learner": data["learner"], "as_of": data["as_of"], "chart": kind.value, "data": data[kind.value]})
        return
    from progress_cli.render.charts_terminal import chart_view

    out = console()
    out.print(chart_view(kind.value, data, out.width))
