"""`progress achievements LEARNER` and `progress leaderboard`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from progress_cli.cli.options import AsOf, JsonOut, LearnerArg, RankBy, RankPeriod
from progress_cli.cli.output import console, emit_json


def achievements(ctx: typer.Context, learner: LearnerArg, as_of: AsOf = None, json_out: JsonOut = False) -> None:
    """Earned achievements, and progress toward the locked ones with an estimated date."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.achievements import learner_achievements

    settings = ctx.obj
    result = learner_achievements(settings.db, learner, tz=settings.tz, as_of=as_of)
    if json_out or settings.json:
        emit_json(result)
    else:
        from progress_cli.render.achievements import achievements_view

        console().print(achievements_view(result))


def leaderboard(
    ctx: typer.Context,
    module: Annotated[Optional[str], typer.Option("--module", metavar="ID", help="Only this module: its completion, "
                                                  "its achievements' points, streaks of learners who practise it.")] = None,
    period: Annotated[RankPeriod, typer.Option("--period", help="Points earned in the ISO week or calendar month "
                                               "containing --as-of, or ever.")] = RankPeriod.all,
    by: Annotated[RankBy, typer.Option("--by", help="What to rank by.")] = RankBy.points,
    limit: Annotated[int, typer.Option("--limit", metavar="N", min=0,
                                       help="Show the top N rows (all rows with --json).")] = 20,
    as_of: AsOf = None,
    json_out: JsonOut = False,
) -> None:
    """Rank learners by points, progress or streak; ties share a rank (1, 1, 3) and are listed by learner id."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.achievements import leaderboard as build

    settings = ctx.obj
    result = build(settings.db, tz=settings.tz, by=by.value, period=period.value, module=module, as_of=as_of)
    if json_out or settings.json:
        emit_json(result)
    else:
        from progress_cli.render.achievements import leaderboard_table

        console().print(leaderboard_table(result, limit))
