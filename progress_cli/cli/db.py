"""`progress db info|copy`: the store itself, and moving it between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer

from progress_cli.cli.options import JsonOut
from progress_cli.cli.output import console, emit_json
from progress_cli.cli.usage import Command

app = typer.Typer(help="The store: what it holds, and copying it to another database.", no_args_is_help=True)


@app.command("info", cls=Command)
def info(ctx: typer.Context, json_out: JsonOut = False) -> None:
    """Print the backend, the URL (password hidden), the schema version and the row count of every table."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.database import info_table
    from progress_cli.services.database import store_info

    settings = ctx.obj
    result = store_info(settings.db)
    if json_out or settings.json:
        emit_json(result)
    else:
        console().print(info_table(result))


@app.command("copy", cls=Command)
def copy(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", metavar="URL", help="The target: a SQLite file path or a database "
                                    "URL (postgresql://user@host/db). It must be empty or new.")],
    json_out: JsonOut = False,
) -> None:
    """Copy the whole store (events, progress, achievements, certificates, keys) into a new, empty SQLite file or
    PostgreSQL database.

    Graduate from SQLite to PostgreSQL (or back) without re-importing: every table is copied
    row for row in one transaction, so the copy prints the same learners, status and reports.
    """
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.progress_bar import row_progress
    from progress_cli.services.database import copy_store

    settings = ctx.obj
    json_out = json_out or settings.json
    with row_progress(not settings.quiet and not json_out, "rows") as on_start:
        result = copy_store(settings.db, to, on_start=on_start)
    if json_out:
        emit_json(result)
    elif not settings.quiet:
        rows = sum(result["tables"].values())
        keys = result["private_keys_copied"]
        note = f", and {keys} private signing key(s) beside it" if keys else ""
        typer.echo(f"Copied {rows:,} rows in {len(result['tables'])} tables to {result['to']}{note}.")
