"""Shared output helpers for commands: the console and JSON printing."""

from __future__ import annotations

import sys
from typing import Any


from progress_cli.json_output import to_json


def console(stderr: bool = False):
    """A Rich console on the current stdout/stderr (coloured only on a terminal; NO_COLOR honoured)."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def emit_json(data: Any) -> None:
    """`data` on stdout as the `--json` output of a command (indented; see `json_output`)."""
    # Not typer.echo: on a pipe it runs a regex over the text for colour codes, which JSON never
    # holds (it escapes control characters); 0.015 s of the 7.8 MB of 10,000 learners.
    sys.stdout.write(to_json(data) + "\n")


def emit_rows(rows: list, *, as_json: bool, table) -> None:
    """A listing as JSON, or as the Rich table `table(rows)` builds."""
    if as_json:
        emit_json(rows)
    else:
        console().print(table(rows))
