"""`progress mail test --to ADDRESS` / `progress mail log [--failed]`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from progress_cli.addresses import is_address
from progress_cli.cli.delivery import mail_settings
from progress_cli.cli.options import JsonOut
from progress_cli.cli.output import emit_json, emit_rows
from progress_cli.cli.usage import Command
from progress_cli.errors import UsageError

app = typer.Typer(help="E-mail through the SMTP server of PROGRESS_SMTP: a test message, and the delivery log.",
                  no_args_is_help=True)


def _checked_address(value: Optional[str]) -> Optional[str]:
    """Read --to while the command line is parsed, so the error names the option."""
    if value is not None and not is_address(value):
        raise UsageError(f"--to is not an e-mail address: {value!r}")
    return value


@app.command("test", cls=Command)
def test(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", metavar="ADDRESS", callback=_checked_address,
                                    help="Where to send the test message.")],
    json_out: JsonOut = False,
) -> None:
    """Send one test message through the configured SMTP server (PROGRESS_SMTP and friends)."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.mail_log import send_test

    settings = ctx.obj
    result = send_test(settings.db, to, config=mail_settings(dry_run=False))
    if json_out or settings.json:
        emit_json(result)
    elif not settings.quiet:
        typer.echo(f"Sent a test message to {result['to']} through {result['server']} ({result['message_id']}).")


@app.command("log", cls=Command)
def log(
    ctx: typer.Context,
    failed: Annotated[bool, typer.Option("--failed", help="Only what was not delivered (failed, or never recorded).")] = False,
    json_out: JsonOut = False,
) -> None:
    """What was delivered, when, and what failed (newest first)."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.delivery import log_table
    from progress_cli.services.mail_log import mail_log

    settings = ctx.obj
    emit_rows(mail_log(settings.db, failed_only=failed), as_json=json_out or settings.json, table=log_table)
