"""The activity heatmap as a calendar grid: one column per ISO week, one row per weekday.
Layout only, shared by the terminal, Markdown and PDF renderers."""

from __future__ import annotations

import datetime as dt
from typing import Any

LEVEL_GLYPHS = ("·", "░", "▒", "▓", "█")  # text media: levels 0..4


def week_columns(heatmap: dict[str, Any]) -> list[list[dict[str, Any] | None]]:
    """Columns of 7 cells (Monday first); None pads before the first and after the last day."""
    days = heatmap["days"]
    if not days:
        return []
    pad = dt.date.fromisoformat(days[0]["date"]).weekday()
    cells: list[dict[str, Any] | None] = [None] * pad + list(days)
    cells += [None] * (-len(cells) % 7)
    return [cells[i:i + 7] for i in range(0, len(cells), 7)]


def month_starts(columns: list[list[dict[str, Any] | None]]) -> list[str | None]:
    """Per column, the month abbreviation where a new month starts (first column included)."""
    labels: list[str | None] = []
    previous = None
    for column in columns:
        first = next(c for c in column if c is not None)
        month = dt.date.fromisoformat(first["date"]).strftime("%b")
        labels.append(month if month != previous else None)
        previous = month
    return labels


def month_labels(columns: list[list[dict[str, Any] | None]], min_columns: int) -> list[str | None]:
    """`month_starts`, leaving out a month whose next month starts fewer than `min_columns`
    columns later (its label would run into the next one)."""
    labels = month_starts(columns)
    at = [i for i, label in enumerate(labels) if label]
    for here, nxt in zip(at, at[1:]):
        if nxt - here < min_columns:
            labels[here] = None
    return labels


def month_header(columns: list[list[dict[str, Any] | None]], cell: int) -> str:
    """A text line of month abbreviations over the columns (`cell` characters each)."""
    line = [" "] * (len(columns) * cell)
    for i, label in enumerate(month_labels(columns, min_columns=-(-4 // cell))):  # 3 letters and a space
        if label:
            line[i * cell:i * cell + len(label)] = list(label)
    return "".join(line).rstrip()
