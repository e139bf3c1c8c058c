"""The four report charts as vector drawings with fpdf2's own primitives (lines, polylines,
polygons, rectangles), never pictures: they stay sharp at any zoom and cost little to draw.
Colours and levels are those of DESIGN 7 (progress_cli.reports.palette)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from progress_cli.render.heatmap_grid import month_labels, week_columns
from progress_cli.render.pdf_doc import MUTED, RULE, Document
from progress_cli.render.pdf_fonts import FAMILY
from progress_cli.render.report_text import WEEKDAYS, target_caption
from progress_cli.reports.palette import BLUE, FILL_ALPHA, GREY, HEAT_LEGEND, HEAT_LEVELS, hex_rgb

RADAR_MAX_SKILLS = 12  # more spokes than this are unreadable: bars instead
_MIN_ROW = 3.6  # mm per bar, so labels never overlap
_LABEL = 6.5  # pt


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


def progress_chart(pdf: Document, box: Box, progress: dict[str, Any]) -> None:
    """Daily total_progress (blue line) and the target (grey dashed line), 0..100."""
    days = progress["days"]
    plot = _axes(pdf, box, len(days), [days[i - 1]["date"][5:] for i in _ticks(len(days))], _ticks(len(days)))
    target = [(i + 1, d["target"]) for i, d in enumerate(days) if d["target"] is not None]
    line = [(i + 1, d["progress"]) for i, d in enumerate(days) if d["progress"] is not None]
    if target:
        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.5)
        pdf.set_dash_pattern(dash=1.6, gap=1.2)
        _polyline(pdf, [plot.point(x, y) for x, y in target])
        pdf.set_dash_pattern()
    if line:
        pdf.set_draw_color(*BLUE)
        pdf.set_line_width(0.7)
        _polyline(pdf, [plot.point(x, y) for x, y in line])
    legend_y = box.y + box.h - 3
    _legend_line(pdf, box.x + 10, legend_y, BLUE, "overall progress %", dashed=False)
    if progress["target_date"]:
        _legend_line(pdf, box.x + 52, legend_y, GREY, target_caption(progress), dashed=True)
    else:
        _label(pdf, box.x + 52, legend_y - 1.5, "no target line: the catalog sets no target date")


def skills_chart(pdf: Document, box: Box, skills: list[dict[str, Any]]) -> None:
    """A radar of the current level per skill (3 to 12 skills), else horizontal bars."""
    if not skills:
        _label(pdf, box.x, box.y + 4, "No skills yet.")
    elif 3 <= len(skills) <= RADAR_MAX_SKILLS:
        _radar(pdf, box, skills)
    else:
        _bars(pdf, box, skills)


def heatmap_chart(pdf: Document, box: Box, heatmap: dict[str, Any]) -> None:
    """A calendar of rectangles, weeks across and weekdays down, in the five level colours."""
    columns = week_columns(heatmap)
    label_w, header_h, legend_h = 8.0, 4.0, 9.0
    cell = min((box.w - label_w) / max(len(columns), 1), (box.h - header_h - legend_h) / 7)
    gap = cell * 0.15
    top = box.y + header_h
    for i, month in enumerate(month_labels(columns, min_columns=2 if cell < 6 else 1)):
        if month:
            _label(pdf, box.x + label_w + i * cell, box.y, month)
    for row, weekday in enumerate(WEEKDAYS):
        if row % 2 == 0:
            _label(pdf, box.x, top + row * cell + (cell - 2.5) / 2, weekday)
    for i, column in enumerate(columns):
        for row, day in enumerate(column):
            if day is None:
                continue
            pdf.set_fill_color(*hex_rgb(HEAT_LEVELS[day["level"]][2]))
            pdf.rect(box.x + label_w + i * cell, top + row * cell, cell - gap, cell - gap, style="F")
    y = top + 7 * cell + 2.5
    x = box.x + label_w
    for _, label, colour in HEAT_LEVELS:
        pdf.set_fill_color(*hex_rgb(colour))
        pdf.rect(x, y, 3, 3, style="F")
        x += 4
        x += _label(pdf, x, y + 0.2, label) + 2.5
    _label(pdf, x, y + 0.2, HEAT_LEGEND)


def curve_chart(pdf: Document, box: Box, curve: list[dict[str, Any]]) -> None:
    """Score per attempt (0..100), oldest attempt first."""
    n = len(curve)
    ticks = _ticks(max(n, 1))
    plot = _axes(pdf, box, max(n, 1), [str(t) for t in ticks], ticks)
    if not curve:
        _label(pdf, box.x + box.w / 2 - 15, box.y + box.h / 2, "No scored attempts yet.")
        return
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(0.35)
    _polyline(pdf, [plot.point(p["attempt"], p["score"]) for p in curve])
    _label(pdf, box.x + 10, box.y + box.h - 4.5, f"{n} scored attempts, oldest first (x: attempt, y: score)")


# Pieces ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plot:
    """A plot area mapping (x from 1 to n, y from 0 to 100) into millimetres."""

    left: float
    top: float
    width: float
    height: float
    n: int

    def point(self, x: float, y: float) -> tuple[float, float]:
        fx = 0.5 if self.n <= 1 else (x - 1) / (self.n - 1)
        return self.left + fx * self.width, self.top + (1 - y / 100.0) * self.height


def _axes(pdf: Document, box: Box, n: int, labels: list[str], positions: list[int]) -> _Plot:
    """Grid lines at 0, 25, 50, 75, 100 with their labels, and x labels at `positions`."""
    plot = _Plot(box.x + 8, box.y + 2, box.w - 10, box.h - 14, n)
    pdf.set_line_width(0.15)
    pdf.set_draw_color(*RULE)
    for value in (0, 25, 50, 75, 100):
        _, y = plot.point(1, value)
        pdf.line(plot.left, y, plot.left + plot.width, y)
        _label(pdf, box.x, y - 1.3, str(value))
    for position, label in zip(positions, labels):
        x, _ = plot.point(position, 0)
        pdf.line(x, plot.top + plot.height, x, plot.top + plot.height + 1)
        _label(pdf, x - pdf.get_string_width(label) / 2, plot.top + plot.height + 1.5, label)
    return plot


def _radar(pdf: Document, box: Box, skills: list[dict[str, Any]]) -> None:
    n = len(skills)
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    radius = min(box.w / 2 - 16, box.h / 2 - 6)

    def at(i: int, level: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + math.cos(angle) * radius * level / 100, cy + math.sin(angle) * radius * level / 100

    pdf.set_line_width(0.15)
    pdf.set_draw_color(*RULE)
    for ring in (25, 50, 75, 100):
        pdf.polygon([at(i, ring) for i in range(n)], style="D")
    for i in range(n):
        pdf.line(cx, cy, *at(i, 100))
    points = [at(i, s["current_level"] or 0.0) for i, s in enumerate(skills)]
    pdf.set_fill_color(*BLUE)
    with pdf.local_context(fill_opacity=FILL_ALPHA):
        pdf.polygon(points, style="F")
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(0.5)
    pdf.polygon(points, style="D")
    for i, s in enumerate(skills):
        x, y = at(i, 112)
        text = _short(s["name"], 22) + f" {_level(s)}"
        pdf.set_font(FAMILY, "", _LABEL)
        width = pdf.get_string_width(pdf.text_of(text))
        dx = math.cos(-math.pi / 2 + 2 * math.pi * i / n)
        x = x - width / 2 if abs(dx) < 0.3 else (x if dx > 0 else x - width)
        _label(pdf, x, y - 1.2, text)


def _bars(pdf: Document, box: Box, skills: list[dict[str, Any]]) -> None:
    """One bar per practised skill (as many as fit) on a translucent track of the full
    0..100 scale; a note says how many more there are and how many are not practised."""
    practised = [s for s in skills if s["current_level"] is not None]
    unpractised = len(skills) - len(practised)
    fit = max(int((box.h - 5) // _MIN_ROW), 1)
    shown = practised[:fit]
    if not shown:
        _label(pdf, box.x, box.y + 2, f"No skill practised yet ({unpractised} in the catalog).")
        return
    row = min(6.0, (box.h - 5) / len(shown))
    label_w = box.w * 0.38
    track = box.w - label_w - 10
    left = box.x + label_w
    pdf.set_fill_color(*BLUE)
    with pdf.local_context(fill_opacity=FILL_ALPHA):
        for i in range(len(shown)):
            pdf.rect(left, box.y + i * row + row * 0.2, track, row * 0.6, style="F")
    for i, s in enumerate(shown):
        pdf.rect(left, box.y + i * row + row * 0.2, track * s["current_level"] / 100, row * 0.6, style="F")
    for i, s in enumerate(shown):
        y = box.y + i * row + row / 2 - 1.3
        _label(pdf, box.x, y, _short(s["name"], 30))
        _label(pdf, left + track + 1.5, y, _level(s))
    notes = []
    if len(practised) > len(shown):
        notes.append(f"{len(practised) - len(shown)} more practised skills not shown")
    if unpractised:
        notes.append(f"{unpractised} not practised yet")
    if notes:
        _label(pdf, box.x, box.y + len(shown) * row + 1, "; ".join(notes))


def _legend_line(pdf: Document, x: float, y: float, colour: tuple[int, int, int], text: str, dashed: bool) -> None:
    pdf.set_draw_color(*colour)
    pdf.set_line_width(0.7 if not dashed else 0.5)
    if dashed:
        pdf.set_dash_pattern(dash=1.6, gap=1.2)
    pdf.line(x, y, x + 7, y)
    pdf.set_dash_pattern()
    _label(pdf, x + 8.5, y - 1.3, text)


def _label(pdf: Document, x: float, y: float, text: str) -> float:
    """Small grey text at (x, y) (top-left); returns its width. Leaves the label font and
    colour set: the next text block sets its own."""
    if (pdf.font_family, pdf.font_style, pdf.font_size_pt) != (FAMILY.lower(), "", _LABEL):
        pdf.set_font(FAMILY, "", _LABEL)
    pdf.set_text_color(*MUTED)
    text = pdf.text_of(text)
    pdf.text(x, y + 2.3, text)
    return pdf.get_string_width(text)


def _polyline(pdf: Document, points: list[tuple[float, float]]) -> None:
    if len(points) == 1:
        x, y = points[0]
        pdf.circle(x, y, 0.6, style="D")
    elif points:
        pdf.polyline(points, style="D")


def _ticks(n: int, count: int = 5) -> list[int]:
    if n <= count:
        return list(range(1, n + 1))
    step = (n - 1) / (count - 1)
    return sorted({round(1 + i * step) for i in range(count)})


def _level(skill: dict[str, Any]) -> str:
    return "—" if skill["current_level"] is None else f"{skill['current_level']:.0f}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
