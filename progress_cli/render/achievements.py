"""Terminal views of achievements and the leaderboard."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

_BAR = 16


def _bar(progress: float) -> Text:
    filled = round(progress * _BAR)
    return Text.assemble(("█" * filled, "green"), ("░" * (_BAR - filled), "dim"), f" {progress * 100:.0f}%")


def achievements_view(result: dict[str, Any]) -> Group:
    name = result["learner"]["name"] or result["learner"]["id"]
    earned = Table(title=f"{name}: {len(result['earned'])} earned, {result['points']} points", expand=True)
    for column in ("", "achievement", "type", "points", "earned"):
        earned.add_column(column)
    for a in result["earned"]:
        earned.add_row(a["icon"], escape(a["name"]), a["type"], str(a["points"]), a["earned_at"][:10])
    locked = Table(title="In progress", expand=True)
    for column in ("", "achievement", "requirement", "progress", "estimated"):
        locked.add_column(column)
    for a in result["in_progress"]:
        locked.add_row(a["icon"], escape(a["name"]), escape("; ".join(a["requirements"])), _bar(a["progress"]),
                       a["estimated_date"] or "—")
    return Group(earned, locked)


def leaderboard_table(result: dict[str, Any], limit: int) -> Table:
    scope = f" · module {result['module']}" if result["module"] else ""
    period = f" · {result['period']}" if result["by"] == "points" else ""
    table = Table(title=f"Leaderboard by {result['by']}{period}{scope}")
    for column, justify in (("rank", "right"), ("learner", "left"), ("name", "left"), (result["by"], "right")):
        table.add_column(column, justify=justify)
    for row in result["rows"][:limit]:
        value = row["value"]
        shown = f"{value:.0f}%" if result["by"] == "progress" else f"{value:g}"
        table.add_row(str(row["rank"]), escape(row["learner_id"]), escape(row["name"] or ""), shown)
    if not result["rows"]:
        table.caption = "nobody ranks yet"
    return table
