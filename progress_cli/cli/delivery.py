"""What `report --email`, `cert issue --email` and `cert remind --email` share: the checks of
their options and how a delivery run ends (one summary line or JSON; exit 1 when any failed)."""

from __future__ import annotations

from pathlib import Path

import typer

from progress_cli.cli.output import emit_json
from progress_cli.errors import ExitCode, UsageError


def eml_folder(dry_run: bool, out: Path | None) -> Path | None:
    """The folder of a dry run's .eml files (required), or None for a real run."""
    if not dry_run:
        return None
    if out is None:
        raise UsageError("--dry-run with --email writes each message as a .eml file: give --out DIR")
    return out


def mail_settings(dry_run: bool):
    """The SMTP settings, read before any work (a dry run needs none)."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.delivery import mail_settings as settings

    return settings(dry_run=dry_run)


def finish_delivery(outcome, *, json_out: bool, quiet: bool, extra: dict | None = None) -> None:
    """Print a delivery run's result: its summary line, or its JSON (under "email" after the
    command's own `extra` keys when given); exit 1 when any message failed, the summary then
    being the one-line error on stderr."""
    if json_out:
        emit_json(outcome.as_json() if extra is None else extra | {"email": outcome.as_json()})
        if outcome.failed:
            raise typer.Exit(ExitCode.ERROR)
        return
    outcome.raise_if_failed()
    if not quiet:
        typer.echo(outcome.summary_line())
