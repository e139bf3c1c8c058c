"""The four report charts for the terminal: plotext for the line and bar charts, a Rich
calendar grid for the heatmap. Takes chart data (progress_cli.reports.charts); computes nothing.

plotext draws with 24-bit colours; Rich maps them to the nearest colours the terminal has,
and prints no colour at all off a terminal or with NO_COLOR.
"""

from __future__ import annotations

from typing import Any

from rich.color import Color
from rich.console import Group
from rich.style import Style
from rich.text import Text

from progress_cli.render.heatmap_grid import LEVEL_GLYPHS, month_header, week_columns
from progress_cli.render.report_text import SECTIONS, WEEKDAYS, target_caption
from progress_cli.reports.palette import BLUE, GREY, HEAT_LEGEND, HEAT_LEVELS

_PLOT_HEIGHT = 15
_TICKS = 5
_CELL = 2  # characters per heatmap column


def progress_chart(progress: dict[str, Any], width: int) -> Group:
    """The daily progress line and the target as a dotted line (a terminal's dashes)."""
    days = progress["days"]
    x = list(range(1, len(days) + 1))
    plt, fig = plot_figure(width, _PLOT_HEIGHT)
    line = [(i, d["progress"]) for i, d in zip(x, days) if d["progress"] is not None]
    target = [(i, d["target"]) for i, d in zip(x, days) if d["target"] is not None and i % 2 == 1]
    if target:
        fig.draw(fig.signal([p[0] for p in target], [p[1] for p in target], marker=plt.marker("·", GREY)))
    if line:
        fig.draw(fig.signal([p[0] for p in line], [p[1] for p in line], marker=plt.marker("braille", BLUE)).lines())
    fig.ruler("y").lim(0, 100).ticks([0, 25, 50, 75, 100])
    positions = _tick_positions(len(days))
    fig.ruler("x").lim(1, len(days)).ticks(positions, [days[p - 1]["date"][5:] for p in positions])
    caption = Text.assemble(("━ ", _style(BLUE)), "overall progress %   ")
    if progress["target_date"]:
        caption.append_text(Text.assemble(("┈ ", _style(GREY)), target_caption(progress)))
    else:
        caption.append("(no target line: the catalog sets no target date)")
    return Group(plotted(fig), caption)


def skills_chart(skills: list[dict[str, Any]], width: int) -> Group | Text:
    """Horizontal bars: current level (0..100) of each practised skill."""
    practised = [s for s in skills if s["current_level"] is not None]
    if not practised:
        return Text("No skill practised yet.", style="dim")
    plt, fig = plot_figure(width, max(len(practised) + 4, 6))
    names = [s["name"] for s in practised][::-1]  # plotext draws the first bar at the bottom
    levels = [s["current_level"] for s in practised][::-1]
    fig.draw(fig.bar(names, levels, orientation="h", marker=plt.marker("full", BLUE), width=0.6))
    fig.ruler("x").lim(0, 100).ticks([0, 25, 50, 75, 100])
    unpractised = [s["name"] for s in skills if s["current_level"] is None]
    parts: list = [plotted(fig)]
    if unpractised:
        parts.append(Text(f"not practised yet: {', '.join(unpractised)}", style="dim"))
    return Group(*parts)


def curve_chart(curve: list[dict[str, Any]], width: int) -> Group | Text:
    """Score per attempt, in attempt order."""
    if not curve:
        return Text("No scored attempts yet.", style="dim")
    plt, fig = plot_figure(width, _PLOT_HEIGHT)
    x = [p["attempt"] for p in curve]
    signal = fig.signal(x, [p["score"] for p in curve], marker=plt.marker("braille", BLUE))
    fig.draw(signal.lines() if len(curve) > 1 else signal)
    fig.ruler("y").lim(0, 100).ticks([0, 25, 50, 75, 100])
    positions = _tick_positions(len(curve))
    fig.ruler("x").lim(1, max(len(curve), 2)).ticks(positions, [str(p) for p in positions])
    return Group(plotted(fig), Text(f"{len(curve)} scored attempts, oldest first", style="dim"))


def heatmap_chart(heatmap: dict[str, Any]) -> Group:
    """A calendar grid (weeks across, weekdays down) of coloured level glyphs, and a legend."""
    columns = week_columns(heatmap)
    lines = [Text("    " + month_header(columns, _CELL), style="dim")]
    for row, weekday in enumerate(WEEKDAYS):
        line = Text(f"{weekday} ", style="dim")
        for column in columns:
            cell = column[row]
            line.append_text(Text(" " * _CELL) if cell is None else _heat_cell(cell["level"]))
        lines.append(line)
    legend = Text.assemble(*(part for level, (_, label, _) in enumerate(HEAT_LEVELS)
                             for part in (_heat_cell(level), f"{label}  ")), HEAT_LEGEND)
    total = sum(d["minutes"] for d in heatmap["days"])
    active = sum(1 for d in heatmap["days"] if d["level"] > 0)
    summary = Text(f"{heatmap['start']} to {heatmap['end']}: {total:.0f} minutes on {active} days", style="dim")
    return Group(*lines, Text(""), legend, summary)


def _heat_cell(level: int) -> Text:
    colour = HEAT_LEVELS[level][2]
    return Text(LEVEL_GLYPHS[level].ljust(_CELL), style=colour)


def _style(rgb: tuple[int, int, int]):
    return Style(color=Color.from_rgb(*rgb))


def plot_figure(width: int, height: int):
    """(plotext, its cleared figure) sized width x height characters (also for `insights`)."""
    import plotext as plt  # ~0.12 s to import: the heatmap and empty charts need none

    fig = plt.figure
    fig.clear()
    plt.terminal.limit(False, False)  # size from plot_size, not from the real terminal
    fig.plot_size(max(width, 30), height)
    fig.theme("simple")
    return plt, fig


def plotted(fig) -> Text:
    """The figure as Rich text (plotext's colours mapped to what the terminal has)."""
    return Text.from_ansi(fig.build().string())


def _tick_positions(n: int) -> list[int]:
    if n <= _TICKS:
        return list(range(1, n + 1))
    step = (n - 1) / (_TICKS - 1)
    return sorted({round(1 + i * step) for i in range(_TICKS)})


def chart_view(kind: str, data: dict[str, Any], width: int) -> Group:
    """`progress chart KIND LEARNER`: a title line, then the chart."""
    learner = data["learner"]
    name = learner["name"] or learner["id"]
    title = Text.assemble((SECTIONS[kind], "bold"), f" · {name} ", (f"({learner['id']})", "dim"),
                          (f" · as of {data['as_of'][:16].replace('T', ' ')}", "dim"))
    body = {
        "progress": lambda: progress_chart(data["progress"], width - 2),
        "skills": lambda: skills_chart(data["skills"], width - 2),
        "heatmap": lambda: heatmap_chart(data["heatmap"]),
        "curve": lambda: curve_chart(data["curve"], width - 2),
    }[kind]()
    return Group(title, body)
