"""`progress achievements LEARNER` and `progress leaderboard`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from progress_cli.cli.output import console, emit_json


def achievements(
    ctx: typer.Context,
    learner: Annotated[str, typer.Argument(help="Learner id (see `progress learners`).")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="As at the end of this day (YYYY-MM-DD).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable list (see README).")] = False,
) -> None:
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
    module: Annotated[Optional[str], typer.Option("--module", help="Only this module: its completion, "
                                                  "its achievements' points, streaks of learners who practise it.")] = None,
    period: Annotated[str, typer.Option("--period", help="week|month|all: points earned in the ISO week or "
                                        "calendar month containing --as-of, or ever.")] = "all",
    by: Annotated[str, typer.Option("--by", help="points|progress|streak.")] = "points",
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="As at the end of this day (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show the top N rows (all rows with --json).")] = 20,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable ranking (see README).")] = False,
) -> None:
    """Rank learners by points, progress or streak; ties share a rank (1, 1, 3)."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.achievements import leaderboard as build

    settings = ctx.obj
    result = build(settings.db, tz=settings.tz, by=by, period=period, module=module, as_of=as_of)
    if json_out or settings.json:
        emit_json(result)
    else:
        from progress_cli.render.achievements import leaderboard_table

        console().print(leaderboard_table(result, limit))
