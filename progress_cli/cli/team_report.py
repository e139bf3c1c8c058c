"""`progress report --week|--month --team [NAME]`: where the team report goes (a terminal, a
file, or its managers' mailboxes)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from progress_cli.cli.delivery import finish_delivery
from progress_cli.cli.output import console, emit_json


def team_report(settings, *, kind: str, value: str | None, as_of: str | None, team: str | None, fmt: str,
                options: dict[str, Any], out: Path | None) -> None:
    """Compute the team's report and print it, page it, or write it to one file."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.report_formats import EXTENSIONS, render_team
    from progress_cli.services.output_files import is_directory_target, team_report_name, write_atomic
    from progress_cli.services.team import team_report as compute

    report = compute(settings.db, tz=settings.tz, kind=kind, value=value, as_of=as_of, team=team)
    if out is None and fmt == "terminal":
        _page(report)
        return
    if out is None and fmt == "json":
        emit_json(report)
        return
    rendered = render_team(report, fmt, **options)
    for warning in rendered.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    if out is None and fmt != "pdf":
        typer.echo(rendered.data, nl=False)
        return
    name = team_report_name(team, report["period"]["label"], EXTENSIONS[fmt])
    path = (out / name) if out is not None and is_directory_target(out) else (out or Path(name))
    write_atomic(path, rendered.data)
    if not settings.quiet:
        typer.echo(f"Wrote {path}")


def email_team_report(settings, *, kind: str, value: str | None, as_of: str | None, team: str | None,
                      options: dict[str, Any], config, eml_dir: Path | None, json_out: bool) -> None:
    """Send the team report to each manager of the team once (DESIGN 10): one summary line,
    exit 1 when any failed."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.report_email import TeamReportEmail
    from progress_cli.services.mailing import deliver_team_report
    from progress_cli.services.output_files import team_report_name

    outcome = deliver_team_report(settings.db, tz=settings.tz, kind=kind, value=value, as_of=as_of, team=team,
                                  render=TeamReportEmail(file_name=team_report_name, **options), config=config,
                                  dry_run_dir=eml_dir)
    finish_delivery(outcome, json_out=json_out, quiet=settings.quiet)


def _page(report: dict[str, Any]) -> None:
    """On a terminal the report goes through the pager (as long as the team); elsewhere it is
    printed whole. LESS defaults to FRX, as git sets it: colours pass, a report that fits
    one screen is printed without the pager."""
    from progress_cli.render.team_terminal import team_view  # on use (Rich)

    out = console()
    if not out.is_terminal:
        out.print(team_view(report))
        return
    os.environ.setdefault("LESS", "FRX")
    with out.pager(styles=True):
        out.print(team_view(report))
