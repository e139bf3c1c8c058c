"""`progress chart progress|skills|heatmap|curve LEARNER`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from progress_cli.cli.output import console, emit_json


class ChartKind(str, Enum):
    progress = "progress"
    skills = "skills"
    heatmap = "heatmap"
    curve = "curve"


def chart(
    ctx: typer.Context,
    kind: Annotated[ChartKind, typer.Argument(help="progress (vs target, 30 days), skills, heatmap (90 days) or curve.")],
    learner: Annotated[str, typer.Argument(help="Learner id (see `progress learners`).")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Chart as it was at the end of this day (YYYY-MM-DD).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="The chart's data instead of the drawing.")] = False,
) -> None:
    """One chart of one learner in the terminal (the same data as the reports' charts)."""
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
