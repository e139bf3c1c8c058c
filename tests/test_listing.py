"""The terminal listing (render/listing.py): columns aligned by terminal cells, numbers to the
right, colours only where Rich colours, whole lines through a pipe."""

from __future__ import annotations

import io

from rich.console import Console

from progress_cli.render.listing import Listing


def printed(listing: Listing, *, colour: bool = False, width: int = 30) -> str:
    out = io.StringIO()
    Console(file=out, width=width, force_terminal=colour, color_system="standard" if colour else None,
            highlight=False).print(listing, crop=False)
    return out.getvalue()


def sample() -> Listing:
    table = Listing("People (2)", ["id", "name", "score"], right={2}, caption="the end")
    table.add_row("a", "王小明", ("7%", "red"))  # three wide characters: six cells
    table.add_row("bb", [("x", "green"), ("y", "")], "100%")
    return table


def test_columns_line_up_by_terminal_cells_and_numbers_sit_right():
    assert printed(sample()).splitlines() == [
        "People (2)",
        "id  name    score",
        "──  ──────  ─────",
        "a   王小明     7%",
        "bb  xy       100%",
        "the end",
    ]


def test_a_line_wider_than_the_terminal_reaches_a_pipe_whole():
    table = Listing("Wide", ["a", "b"])
    table.add_row("x" * 25, "y" * 25)
    assert "x" * 25 + "  " + "y" * 25 in printed(table, width=30).splitlines()


def test_styles_colour_their_cells_on_a_terminal_only():
    coloured = printed(sample(), colour=True)
    assert "\x1b[31m7%" in coloured and "\x1b[32mx" in coloured
    assert "\x1b[" not in printed(sample())
