"""The report charts as inline SVG for HTML (DESIGN 7: the seed's colours, no script, nothing
fetched). Each function returns one `<svg>` element as text, sized by its viewBox so it
scales to the page; every text it draws is escaped."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from progress_cli.render.heatmap_grid import month_labels, week_columns
from progress_cli.render.report_text import WEEKDAYS, target_caption
from progress_cli.reports.palette import BLUE, FILL_ALPHA, GREY, HEAT_LEGEND, HEAT_LEVELS

BLUE_CSS = "rgb({},{},{})".format(*BLUE)
GREY_CSS = "rgb({},{},{})".format(*GREY)
FILL_CSS = "rgba({},{},{},{})".format(*BLUE, FILL_ALPHA)
INK, MUTED, RULE = "#111827", "#6b7280", "#e5e7eb"
RADAR_MAX_SKILLS = 12
_FONT = 'font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif"'


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" class="chart" '
            f'role="img" aria-label="{escape(label)}" {_FONT}>' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, size: float = 11, anchor: str = "start", fill: str = MUTED) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" fill="{fill}">'
            f"{escape(str(text))}</text>")


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


class _Plot:
    """A 0..100 value axis against 1..n, inside margins."""

    def __init__(self, width: float, height: float, n: int, left: float = 34, bottom: float = 40, top: float = 10):
        self.x0, self.x1, self.y0, self.y1, self.n = left, width - 12, height - bottom, top, max(n, 1)

    def at(self, i: float, value: float) -> tuple[float, float]:
        span = max(self.n - 1, 1)
        x = self.x0 + (self.x1 - self.x0) * ((i - 1) / span if self.n > 1 else 0.5)
        return x, self.y0 - (self.y0 - self.y1) * min(max(value, 0.0), 100.0) / 100.0

    def grid(self) -> list[str]:
        out = []
        for v in (0, 25, 50, 75, 100):
            _, y = self.at(1, v)
            out.append(f'<line x1="{self.x0}" y1="{y:.1f}" x2="{self.x1}" y2="{y:.1f}" stroke="{RULE}"/>')
            out.append(_text(self.x0 - 6, y + 4, str(v), size=10, anchor="end"))
        return out


def _edge(i: int, n: int) -> str:
    """Text anchor of an axis label, so the first and last stay inside the chart."""
    return "start" if i == 1 and n > 1 else ("end" if i == n and n > 1 else "middle")


def _runs(values: list[tuple[int, float | None]]) -> list[list[tuple[int, float]]]:
    """Consecutive non-null points, so a gap in the data is a gap in the line."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, v in values:
        if v is None:
            runs.append([])
        else:
            runs[-1].append((i, v))
    return [r for r in runs if r]


def progress_svg(progress: dict[str, Any], width: int = 520, height: int = 236) -> str:
    """Daily overall progress (blue line) against the target (grey dashed line)."""
    days = progress["days"]
    plot = _Plot(width, height, len(days), bottom=56)
    body = plot.grid()
    for i in sorted({1, (len(days) + 1) // 2, len(days)}):
        x, _ = plot.at(i, 0)
        body.append(_text(x, plot.y0 + 15, days[i - 1]["date"][5:], size=10, anchor=_edge(i, len(days))))
    for run in _runs([(i + 1, d["target"]) for i, d in enumerate(days)]):
        body.append(f'<polyline points="{_points([plot.at(i, v) for i, v in run])}" fill="none" '
                    f'stroke="{GREY_CSS}" stroke-width="2" stroke-dasharray="6 4"/>')
    for run in _runs([(i + 1, d["progress"]) for i, d in enumerate(days)]):
        body.append(f'<polyline points="{_points([plot.at(i, v) for i, v in run])}" fill="none" '
                    f'stroke="{BLUE_CSS}" stroke-width="2.5" stroke-linejoin="round"/>')
    y = height - 22
    body.append(f'<line x1="{plot.x0}" y1="{y - 4}" x2="{plot.x0 + 22}" y2="{y - 4}" stroke="{BLUE_CSS}" stroke-width="2.5"/>')
    body.append(_text(plot.x0 + 28, y, "overall progress %", size=10))
    y += 15
    if progress["target_date"]:
        body.append(f'<line x1="{plot.x0}" y1="{y - 4}" x2="{plot.x0 + 22}" y2="{y - 4}" stroke="{GREY_CSS}" '
                    f'stroke-width="2" stroke-dasharray="6 4"/>')
        body.append(_text(plot.x0 + 28, y, target_caption(progress), size=10))
    else:
        body.append(_text(plot.x0, y, "no target line: the catalog sets no target date", size=10))
    return _svg(width, height, "Overall progress over the last 30 days", body)


def skills_svg(skills: list[dict[str, Any]], width: int = 520) -> str:
    """A radar of the current level per skill (3 to 12 skills), else horizontal bars."""
    if 3 <= len(skills) <= RADAR_MAX_SKILLS:
        return _radar(skills, width)
    return _bars([(s["name"] or s["skill"], s["current_level"]) for s in skills], width)


def _radar(skills: list[dict[str, Any]], width: int) -> str:
    """Spokes from the centre, rings at 25, 50, 75 and 100, the levels as a filled polygon;
    the canvas is wider than tall so the labels beside the spokes fit."""
    height = width * 0.8
    cx, cy = width / 2, height / 2
    radius = min(height / 2 - 34, width / 2 - 130)
    n = len(skills)

    def at(k: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * k / n
        r = radius * min(max(value, 0.0), 100.0) / 100.0
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    body = []
    for ring in (25, 50, 75, 100):
        body.append(f'<polygon points="{_points([at(k, ring) for k in range(n)])}" fill="none" stroke="{RULE}"/>')
    for k, s in enumerate(skills):
        x, y = at(k, 100)
        body.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{RULE}"/>')
        lx, ly = at(k, 112)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        name = s["name"] or s["skill"]
        body.append(_text(lx, ly + 4, name if len(name) <= 24 else name[:23] + "…", size=11, anchor=anchor))
    levels = [at(k, s["current_level"] or 0.0) for k, s in enumerate(skills)]
    body.append(f'<polygon points="{_points(levels)}" fill="{FILL_CSS}" stroke="{BLUE_CSS}" stroke-width="2"/>')
    body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{BLUE_CSS}"/>' for x, y in levels]
    return _svg(width, height, "Current level per skill", body)


def _bars(items: list[tuple[str, float | None]], width: int) -> str:
    """Horizontal 0..100 bars, one a row, the value at the end."""
    row, label_w = 22, 150
    height = max(len(items), 1) * row + 8
    body = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        body.append(_text(label_w - 8, y + 14, label if len(label) <= 22 else label[:21] + "…", size=10, anchor="end"))
        span = width - label_w - 50
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{span}" height="14" fill="#f3f4f6"/>')
        if value is not None:
            body.append(f'<rect x="{label_w}" y="{y + 3}" width="{span * min(max(value, 0), 100) / 100:.1f}" '
                        f'height="14" fill="{BLUE_CSS}"/>')
        body.append(_text(width - 44, y + 14, "—" if value is None else f"{value:.0f}", size=10, fill=INK))
    if not items:
        body.append(_text(0, 16, "No skills yet."))
    return _svg(width, height, "Current level per skill", body)


def heatmap_svg(heatmap: dict[str, Any], cell: int = 13) -> str:
    """A calendar, weeks across and weekdays down, in the five level colours, with its legend."""
    columns = week_columns(heatmap)
    left, top, gap = 30, 16, 2
    width = left + len(columns) * (cell + gap) + 4
    height = top + 7 * (cell + gap) + 30
    body = []
    for i, month in enumerate(month_labels(columns, min_columns=3)):
        if month:
            body.append(_text(left + i * (cell + gap), 11, month, size=10))
    for row, weekday in enumerate(WEEKDAYS):
        if row % 2 == 0:
            body.append(_text(0, top + row * (cell + gap) + cell - 2, weekday, size=9))
    for i, column in enumerate(columns):
        for row, day in enumerate(column):
            if day is None:
                continue
            colour = HEAT_LEVELS[day["level"]][2]
            body.append(f'<rect x="{left + i * (cell + gap)}" y="{top + row * (cell + gap)}" width="{cell}" '
                        f'height="{cell}" rx="2" fill="{colour}"><title>{day["date"]}: '
                        f'{day["minutes"]:.0f} min</title></rect>')
    y = height - 10
    x = left
    for _, label, colour in HEAT_LEVELS:
        body.append(f'<rect x="{x}" y="{y - 10}" width="{cell}" height="{cell}" rx="2" fill="{colour}"/>')
        body.append(_text(x + cell + 3, y, label, size=9))
        x += cell + 10 + 7 * len(label)
    body.append(_text(x, y, HEAT_LEGEND, size=9))
    return _svg(max(width, x + 130), height, "Practice minutes per day over the last 90 days", body)


def curve_svg(curve: list[dict[str, Any]], width: int = 520, height: int = 190) -> str:
    """The score of every attempt, in attempt order."""
    plot = _Plot(width, height, len(curve), bottom=24)
    body = plot.grid()
    points = [plot.at(p["attempt"], p["score"]) for p in curve]
    if len(points) > 1:
        body.append(f'<polyline points="{_points(points)}" fill="none" stroke="{BLUE_CSS}" stroke-width="1.2" '
                    f'stroke-opacity="0.6"/>')
    if len(points) <= 200:
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{BLUE_CSS}"/>' for x, y in points]
    if curve:
        for i in sorted({1, len(curve)}):
            x, _ = plot.at(i, 0)
            body.append(_text(x, plot.y0 + 15, f"attempt {i}", size=10, anchor=_edge(i, len(curve))))
    return _svg(width, height, "Score per attempt", body)


def spread_svg(module: dict[str, Any], width: int = 240, height: int = 14) -> str:
    """A team's spread through one module: not started, below 50%, 50-99%, completed, as one
    stacked bar in the heatmap's colours (light to dark)."""
    parts = [(module["not_started"], HEAT_LEVELS[0][2], "not started"), (module["below_half"], HEAT_LEVELS[1][2], "below 50%"),
             (module["half_or_more"], HEAT_LEVELS[2][2], "50-99%"), (module["completed"], HEAT_LEVELS[4][2], "completed")]
    total = sum(n for n, _, _ in parts) or 1
    body, x = [], 0.0
    for n, colour, label in parts:
        w = width * n / total
        if w > 0:
            body.append(f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{height}" fill="{colour}">'
                        f"<title>{n} {label}</title></rect>")
        x += w
    return _svg(width, height, f"{module['title']}: learners by completion", body)
