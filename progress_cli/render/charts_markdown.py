"""The four report charts for Markdown: Mermaid `xychart-beta` blocks (GitHub, GitLab and
most Markdown viewers draw them) and the heatmap as a text calendar."""

from __future__ import annotations

from typing import Any

from progress_cli.reports.palette import HEAT_LEGEND, HEAT_LEVELS
from progress_cli.render.heatmap_grid import LEVEL_GLYPHS, month_header, week_columns
from progress_cli.render.report_text import WEEKDAYS

_CELL = 2  # characters per heatmap column
MAX_POINTS = 150  # a longer learning curve is drawn as means of consecutive attempts


def progress_mermaid(progress: dict[str, Any]) -> str:
    days = progress["days"]
    labels = ", ".join(f'"{d["date"][5:]}"' for d in days)
    lines = ["```mermaid", "xychart-beta", '    title "Overall progress (%)"', f"    x-axis [{labels}]",
             '    y-axis "progress %" 0 --> 100',
             f"    line [{_values(d['progress'] for d in days)}]"]
    if any(d["target"] is not None for d in days):
        lines.append(f"    line [{_values(d['target'] for d in days)}]")
    return "\n".join([*lines, "```"])


def skills_mermaid(skills: list[dict[str, Any]]) -> str:
    """Bars of the practised skills, then a line naming the others."""
    practised = [s for s in skills if s["current_level"] is not None]
    others = [s["name"] for s in skills if s["current_level"] is None]
    parts = []
    if practised:
        labels = ", ".join(f'"{_quote(s["name"])}"' for s in practised)
        parts.append("\n".join(["```mermaid", "xychart-beta horizontal", '    title "Current level per skill"',
                                f"    x-axis [{labels}]", '    y-axis "level" 0 --> 100',
                                f"    bar [{_values(s['current_level'] for s in practised)}]", "```"]))
    if others:
        parts.append(f"Not practised yet: {', '.join(others)}.")
    return "\n\n".join(parts)


def curve_mermaid(curve: list[dict[str, Any]]) -> str:
    scores = [p["score"] for p in curve]
    step = -(-len(scores) // MAX_POINTS)  # ceil
    title = "Score per attempt" if step <= 1 else f"Score per attempt (means of {step} attempts)"
    if step > 1:
        scores = [sum(chunk) / len(chunk) for chunk in (scores[i:i + step] for i in range(0, len(scores), step))]
    return "\n".join(["```mermaid", "xychart-beta", f'    title "{title}"',
                      f'    x-axis "attempt" 1 --> {max(len(curve), 2)}', '    y-axis "score" 0 --> 100',
                      f"    line [{_values(scores)}]", "```"])


def heatmap_text(heatmap: dict[str, Any]) -> str:
    """A calendar grid in a text block: weeks across, weekdays down, one glyph per level."""
    columns = week_columns(heatmap)
    lines = ["```text", ("    " + month_header(columns, _CELL)).rstrip()]
    for row, weekday in enumerate(WEEKDAYS):
        cells = "".join((LEVEL_GLYPHS[c["level"]] if c else " ").ljust(_CELL) for c in (col[row] for col in columns))
        lines.append(f"{weekday} {cells}".rstrip())
    legend = "  ".join(f"{LEVEL_GLYPHS[i]} {label}" for i, (_, label, _) in enumerate(HEAT_LEVELS))
    return "\n".join([*lines, "", f"{legend}  {HEAT_LEGEND}", "```"])


def _values(values) -> str:
    return ", ".join("0" if v is None else f"{v:.1f}" for v in values)


def _quote(text: str) -> str:
    return text.replace('"', "'")
