"""Colours, windows and heatmap levels of the charts (DESIGN 7). Constants only, so
renderers import them without loading the analytics."""

from __future__ import annotations

PROGRESS_DAYS = 30
HEATMAP_DAYS = 90
BLUE = (59, 130, 246)  # the progress line, skill bars and radar
GREY = (156, 163, 175)  # the dashed target line
FILL_ALPHA = 0.2  # skill fill: rgba(59, 130, 246, 0.2)
# (lowest whole minutes, label, colour) of the five heatmap levels.
HEAT_LEVELS = (
    (0, "0", "#f3f4f6"),
    (1, "1-14", "#bfdbfe"),
    (15, "15-29", "#60a5fa"),
    (30, "30-59", "#2563eb"),
    (60, "60+", "#1d4ed8"),
)
HEAT_LEGEND = "minutes of practice"


def heat_level(minutes: float) -> int:
    """0..4: the day's practice rounded to whole minutes (half up), then banded."""
    whole = int(minutes + 0.5) if minutes > 0 else 0
    level = 0
    for i, (floor, _, _) in enumerate(HEAT_LEVELS):
        if whole >= floor:
            level = i
    return level


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
