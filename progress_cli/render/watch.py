"""The live terminal view of `progress watch`: a dashboard plus a feed of recent changes."""

from __future__ import annotations

from collections import deque
from typing import Any

from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

FEED = 10


def describe(row: dict[str, Any]) -> str:
    kind, who = row["type"], row.get("learner_id") or ""
    if kind == "achievement_unlocked":
        return f"🏆 {who} unlocked {row['name']}"
    if kind == "readiness_changed":
        return f"{who} {row['module_id']}: {row['from'] or '—'} → {row['to']}"
    if kind == "import":
        return f"import {row['path']}: {row['inserted']} new, {row['duplicates']} duplicates, {row['rejected']} rejected"
    if kind == "recompute":
        return f"recomputed {row['learners']} learner(s)"
    if kind.startswith("certificate"):
        return f"📜 {who} {kind.replace('_', ' ')}"
    return f"{kind} {who}".strip()


def _view(settings, learner: str | None, feed: deque) -> Group:
    from progress_cli.render.status import status_view
    from progress_cli.render.terminal import learners_table
    from progress_cli.services.learners import list_learners
    from progress_cli.services.status import learner_status

    if learner:
        found = learner_status(settings.db, learner, tz=settings.tz)
        body = status_view(found.payload, found.completion)
    else:
        body = learners_table(list_learners(settings.db, tz=settings.tz), settings.tz)
    lines = [Text(f"#{r['id']} {r['at'][11:19]}  {describe(r)}") for r in feed] or [Text("waiting for changes…", style="dim")]
    return Group(body, Panel(Group(*lines), title="Activity (Ctrl-C to quit)"))


def live_dashboard(engine, settings, learner: str | None, since: int, interval: float, once: bool) -> None:
    """Redraw when a change is committed (polled every `interval` seconds)."""
    import time

    from progress_cli.services.watch import poll

    feed: deque = deque(maxlen=FEED)
    with Live(_view(settings, learner, feed), refresh_per_second=4, screen=False) as live:
        while True:
            rows = poll(engine, since, learner)
            if rows:
                since = rows[-1]["id"]
                feed.extend(rows)
                live.update(_view(settings, learner, feed))
            if once:
                return
            time.sleep(interval)
