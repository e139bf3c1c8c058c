"""`progress roster import FILE [--dry-run]` / `progress roster list [--team NAME]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from progress_cli.cli.options import JsonOut
from progress_cli.cli.output import emit_json, emit_rows
from progress_cli.cli.usage import Command
from progress_cli.errors import ExitCode

app = typer.Typer(help="Who the learners are: name, e-mail, team and manager (a CSV roster).", no_args_is_help=True)


@app.command("import", cls=Command)
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE",
                                         help="CSV with a header: learner_id, then any of name, email, team, manager_email.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would change; write nothing.")] = False,
    rejects: Annotated[Optional[Path], typer.Option("--rejects", metavar="PATH",
                                                    help="Write rejected rows here instead of <file>.rejects.jsonl.")] = None,
    json_out: JsonOut = False,
) -> None:
    """Upsert learners by learner_id: an empty cell keeps the stored value, `-` clears it.

    Bad rows (an unknown column, an empty learner_id, an address that is not an e-mail) go to
    the rejects file with their line and reason; the good rows are kept; exit 3.
    """
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.roster import import_roster

    settings = ctx.obj
    summary = import_roster(settings.db, file, dry_run=dry_run, rejects=rejects)
    if json_out or settings.json:
        emit_json(summary.as_json())
    elif not settings.quiet:
        typer.echo(summary.summary_line())
    if summary.rejected:
        raise typer.Exit(ExitCode.REJECTED)


@app.command("list", cls=Command)
def list_(
    ctx: typer.Context,
    team: Annotated[Optional[str], typer.Option("--team", metavar="NAME", help="Only this team's learners.")] = None,
    json_out: JsonOut = False,
) -> None:
    """Learners with their name, e-mail, team and manager's e-mail."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.delivery import roster_table
    from progress_cli.services.roster import list_roster

    settings = ctx.obj

    emit_rows(list_roster(settings.db, team=team), as_json=json_out or settings.json, table=roster_table)
