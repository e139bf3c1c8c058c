"""`progress init`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from progress_cli.cli.options import JsonOut
from progress_cli.cli.output import console, emit_json


def init(
    ctx: typer.Context,
    catalog: Annotated[Optional[Path], typer.Option(
        "--catalog", metavar="FILE", help="Training catalog (TOML) to load or replace; see README 'Catalog'.")] = None,
    json_out: JsonOut = False,
) -> None:
    """Create the store, or upgrade an old one in place; load or replace the catalog (then recompute)."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services import setup

    settings = ctx.obj
    result = setup.init_store(settings.db, catalog, settings.tz)
    if json_out or settings.json:
        emit_json(result)
    elif not settings.quiet:
        out = console()
        out.print(f"Store ready: {result['db']} (schema version {result['schema_version']})")
        if result["catalog"]:
            c = result["catalog"]
            out.print(f"Catalog {c['source']}: {c['modules']} modules, {c['tasks']} tasks, "
                      f"{c['skills']} skills, {c['achievements']} achievements")
            if result["learners_recomputed"]:
                out.print(f"Recomputed {result['learners_recomputed']} learner(s) with this catalog.")
