"""A listing for the terminal: one line per row in aligned columns, quick at any length.

Rich's Table measures, wraps and re-parses every cell: 11 s for the `learners` of a
10,000-learner store. The cells of a listing are short and never wrap, so the widest cell sets
each column and every line is written as it is. Printed with `crop=False`, a line wider than
the terminal wraps there and reaches a pipe whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

Span = tuple[str, str]  # (text, Rich style, "" for none)
Cell = str | Span | list[Span]

_GAP = "  "


@dataclass
class Listing:
    """Rows of cells under a title, headers and a rule, then a caption. A cell is a text, a
    (text, style) pair, or a list of them (one coloured letter per module)."""

    title: str
    headers: list[str]
    right: set[int] = field(default_factory=set)  # the columns of numbers, aligned right
    caption: str | None = None
    rows: list[tuple[list[list[Span]], list[int]]] = field(default_factory=list)  # (cells, their widths)

    def add_row(self, *cells: Cell) -> None:
        spans = [[(c, "")] if isinstance(c, str) else [c] if isinstance(c, tuple) else c for c in cells]
        self.rows.append((spans, [sum(cell_len(text) for text, _ in cell) for cell in spans]))

    def _widths(self) -> list[int]:
        widths = [cell_len(h) for h in self.headers]
        for _, sizes in self.rows:
            widths = [max(a, b) for a, b in zip(widths, sizes)]
        return widths

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = sum(self._widths()) + len(_GAP) * (len(self.headers) - 1)
        return Measurement(width, width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self._widths()
        last = len(widths) - 1
        styles: dict[str, Style] = {}

        def segment(text: str, style: str) -> Segment:
            if style not in styles:
                styles[style] = Style.parse(style)
            return Segment(text, styles[style])

        yield Segment(self.title, Style(italic=True))
        yield Segment.line()
        header = ([[(h, "bold")] for h in self.headers], [cell_len(h) for h in self.headers])
        rule = ([[("─" * w, "dim")] for w in widths], widths)
        for cells, sizes in [header, rule, *self.rows]:
            # One Segment per change of style, not one per cell: the spaces between cells take
            # the style before them, which shows no colour on a space (no backgrounds here).
            text, style = "", ""
            for i, (spans, size) in enumerate(zip(cells, sizes)):
                pad = " " * (widths[i] - size)
                text += (_GAP if i else "") + (pad if i in self.right else "")
                for piece, piece_style in spans:
                    if piece_style != style:
                        if text:
                            yield segment(text, style)
                        text, style = "", piece_style
                    text += piece
                if i not in self.right and i < last:
                    text += pad
            yield segment(text, style)
            yield Segment.line()
        if self.caption:
            yield Segment(self.caption, Style(dim=True, italic=True))
            yield Segment.line()
