"""The live terminal view of `progress watch`: a dashboard plus a feed of recent changes.

It draws what it is given (services.watch.dashboard_data and the activity rows); the
polling is the caller's."""

from __future__ import annotations

from typing import Any, Iterable
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

from progress_cli.render.status import status_view
from progress_cli.render.terminal import learners_table

FEED = 10  # activity rows kept on screen


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


def watch_view(data: dict[str, Any], feed: Iterable[dict[str, Any]], tz: ZoneInfo) -> Group:
    """The dashboard (`data`: {"status": services.status.Status} or {"learners": [...]}) above
    the recent activity rows."""
    if "status" in data:
        body = status_view(data["status"].payload, data["status"].completion)
    else:
        body = learners_table(data["learners"], tz)
    lines = [Text(f"#{r['id']} {r['at'][11:19]}  {describe(r)}") for r in feed] or [Text("waiting for changes…", style="dim")]
    return Group(body, Panel(Group(*lines), title="Activity (Ctrl-C to quit)"))


def live_screen(first: Group) -> Live:
    """A Rich Live display showing `first`; `update(view)` redraws it."""
    return Live(first, refresh_per_second=4, screen=False)
