"""Shared output helpers for commands: the console and JSON printing."""

from __future__ import annotations

import json
from typing import Any

import typer


def console(stderr: bool = False):
    """A Rich console on the current stdout/stderr (coloured only on a terminal; NO_COLOR honoured)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def emit_rows(rows: list, *, as_json: bool, table) -> None:
    """A listing as JSON, or as the Rich table `table(rows)` builds."""
    if as_json:
        emit_json(rows)
    else:
        console().print(table(rows))
