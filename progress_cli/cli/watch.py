"""`progress watch`."""

from __future__ import annotations

import json
import sys
from collections import deque
from typing import Annotated, Optional

import typer


def watch(
    ctx: typer.Context,
    learner: Annotated[Optional[str], typer.Argument(help="Only this learner (a live status view on a terminal).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per line per change (also off a terminal).")] = False,
    since: Annotated[Optional[int], typer.Option("--since", help="Resume after this activity id (0: from the start).")] = None,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between polls of the store.")] = 0.5,
    once: Annotated[bool, typer.Option("--once", help="Print what is there and exit.")] = False,
) -> None:
    """Follow changes as they are committed: imports, recomputes, unlocks, readiness changes, certificates."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.store_access import open_engine, require_learners
    from progress_cli.services.watch import batches, follow, start_id

    settings = ctx.obj
    engine = open_engine(settings.db)
    if learner:
        require_learners(engine, [learner])
    first = start_id(engine, since)
    try:
        if json_out or settings.json or not sys.stdout.isatty():
            for row in follow(engine, first, learner_id=learner, interval=interval, once=once):
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
                sys.stdout.flush()
        else:
            _live(settings, learner, batches(engine, first, learner_id=learner, interval=interval, once=once))
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()


def _live(settings, learner: str | None, changes) -> None:
    """Redraw the dashboard after each batch of committed changes."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.watch import FEED, live_screen, watch_view
    from progress_cli.services.watch import dashboard_data

    feed: deque = deque(maxlen=FEED)

    def view():
        return watch_view(dashboard_data(settings.db, learner, tz=settings.tz), feed, settings.tz)

    with live_screen(view()) as screen:
        for rows in changes:
            feed.extend(rows)
            screen.update(view())
