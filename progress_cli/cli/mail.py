"""`progress mail test --to ADDRESS` / `progress mail log [--failed]`, and the options and
summary that `report --email`, `cert issue --email` and `cert remind --email` share."""

from __future__ import annotations

from typing import Annotated

import typer

from progress_cli.cli.output import emit_json, emit_rows

app = typer.Typer(help="E-mail through the SMTP server of PROGRESS_SMTP: a test message, and the delivery log.",
                  no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output (see README).")]


@app.command("test")
def test(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", metavar="ADDRESS", help="Where to send the test message.")],
    json_out: Json = False,
) -> None:
    """Send one test message through the configured SMTP server (PROGRESS_SMTP and friends)."""
    from progress_cli.mail.config import smtp_config
    from progress_cli.services.mailing import send_test

    settings = ctx.obj
    result = send_test(settings.db, to, config=smtp_config())
    if json_out or settings.json:
        emit_json(result)
    elif not settings.quiet:
        typer.echo(f"Sent a test message to {result['to']} through {result['server']} ({result['message_id']}).")


@app.command("log")
def log(
    ctx: typer.Context,
    failed: Annotated[bool, typer.Option("--failed", help="Only what was not delivered (failed, or never recorded).")] = False,
    json_out: Json = False,
) -> None:
    """What was delivered, when, and what failed (newest first)."""
    from progress_cli.services.mailing import mail_log

    settings = ctx.obj
    from progress_cli.render.delivery import log_table

    emit_rows(mail_log(settings.db, failed_only=failed), as_json=json_out or settings.json, table=log_table)


def finish_delivery(outcome, *, json_out: bool, quiet: bool) -> None:
    """Print a delivery run's result (one summary line, or JSON); exit 1 when any message failed."""
    if json_out:
        emit_json(outcome.as_json())
        if outcome.failed:
            raise typer.Exit(1)
        return
    outcome.raise_if_failed()  # the summary, as the one-line error on stderr
    if not quiet:
        typer.echo(outcome.summary_line())
