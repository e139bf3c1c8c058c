"""`progress report (--week [DATE|YYYY-Www] | --month [YYYY-MM]) ...`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperCommand

from progress_cli.cli.output import console, emit_json
from progress_cli.errors import NothingToDo, UsageError
from progress_cli.reports.periods import LAST  # stdlib only: `--help` stays fast

_OPTIONAL_VALUE = ("--week", "--month")


class ReportFormat(str, Enum):
    terminal = "terminal"
    md = "md"
    pdf = "pdf"
    json = "json"


class Paper(str, Enum):
    a4 = "a4"
    letter = "letter"


class ReportCommand(TyperCommand):
    """`--week` and `--month` take an optional value: given alone (at the end, or before
    another option) they mean the last complete week or month."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        filled: list[str] = []
        for i, arg in enumerate(args):
            filled.append(arg)
            if arg in _OPTIONAL_VALUE and (i + 1 == len(args) or args[i + 1].startswith("-")):
                filled.append(LAST)
        return super().parse_args(ctx, filled)


def report(
    ctx: typer.Context,
    week: Annotated[Optional[str], typer.Option(
        "--week", metavar="[DATE|YYYY-Www]",
        help="Weekly report: the ISO week of DATE, or YYYY-Www; alone, the last complete week in --tz.")] = None,
    month: Annotated[Optional[str], typer.Option(
        "--month", metavar="[YYYY-MM]", help="Monthly report: that calendar month; alone, the last complete month.")] = None,
    learner: Annotated[Optional[str], typer.Option("--learner", help="One learner (default: every learner).")] = None,
    all_learners: Annotated[bool, typer.Option("--all", help="Every learner (the default without --learner).")] = False,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="terminal (default), md, pdf or json.")] = ReportFormat.terminal,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="A file (one learner) or a directory: one <learner>-<period>.<ext> file per learner.")] = None,
    template: Annotated[Optional[Path], typer.Option("--template", help="Your own Jinja2 template (--format md).")] = None,
    paper: Annotated[Paper, typer.Option("--paper", help="PDF page size: a4 or letter.")] = Paper.a4,
    font: Annotated[Optional[Path], typer.Option(
        "--font", metavar="TTF", help="PDF font file for names DejaVu Sans cannot draw (e.g. CJK).")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Report as it was at the end of this day (YYYY-MM-DD).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    email: Annotated[bool, typer.Option(
        "--email", help="Send each learner with an e-mail address their report (HTML, text, PDF attached), once.")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="With --email: send nothing, write each message as a .eml file to --out DIR.")] = False,
) -> None:
    """Weekly or monthly report: summary, time vs goal, modules, achievements, improvements,
    challenges, recommendations, next week's goals and charts."""
    from progress_cli.services.reports import plan_reports

    settings = ctx.obj
    kind, value = _period_option(week, month)
    if learner and all_learners:
        raise UsageError("give --learner ID or --all, not both")
    fmt_name = "json" if json_out or settings.json else fmt.value
    if email:  # the SMTP settings are checked before any work
        from progress_cli.services.delivery import check_dry_run, mail_settings

        _check_email_options(fmt, out, dry_run)
        eml_dir, config = check_dry_run(dry_run, out), mail_settings(dry_run=dry_run)
    elif dry_run:
        raise UsageError("--dry-run applies to --email")
    else:
        _check_options(fmt_name, template, paper, font)
    run = plan_reports(settings.db, tz=settings.tz, kind=kind, value=value, as_of=as_of, learner_id=learner)
    if not run.learner_ids:
        raise NothingToDo("no learners in the store: import some events first")
    options = {"template": str(template) if template else None, "paper": paper.value,
               "font": str(font) if font else None}
    if email:
        _email(run, options, config=config, eml_dir=eml_dir, json_out=json_out or settings.json,
               quiet=settings.quiet)
        return
    if out is None and fmt_name != "pdf":
        _to_stdout(run, fmt_name, options)
    else:
        _to_files(run, fmt_name, options, out, quiet=settings.quiet)


def _period_option(week: str | None, month: str | None) -> tuple[str, str | None]:
    if (week is None) == (month is None):
        raise UsageError("give one of --week [DATE|YYYY-Www] or --month [YYYY-MM]")
    return ("week", week) if week is not None else ("month", month)


def _check_options(fmt: str, template: Path | None, paper: Paper, font: Path | None) -> None:
    if template is not None and fmt != "md":
        raise UsageError("--template applies to --format md")
    if (font is not None or paper != Paper.a4) and fmt != "pdf":
        raise UsageError("--paper and --font apply to --format pdf")


def _check_email_options(fmt: ReportFormat, out: Path | None, dry_run: bool) -> None:
    if fmt != ReportFormat.terminal:
        raise UsageError("--email sends the report as HTML and text with the PDF attached: leave out --format")
    if out is not None and not dry_run:
        raise UsageError("--out with --email names the folder of a --dry-run's .eml files")


def _email(run, options: dict, *, config, eml_dir: Path | None, json_out: bool, quiet: bool) -> None:
    """Deliver each learner's report once (DESIGN 10): one summary line, exit 1 when any failed."""
    from progress_cli.cli.mail import finish_delivery
    from progress_cli.render.report_email import ReportEmail
    from progress_cli.services.mailing import deliver_reports

    outcome = deliver_reports(run, render=ReportEmail(**options), config=config, dry_run_dir=eml_dir)
    finish_delivery(outcome, json_out=json_out, quiet=quiet)


def _to_stdout(run, fmt: str, options: dict) -> None:
    """terminal, md and json reports on stdout (several learners: one after the other; JSON: an array)."""
    from progress_cli.render.report_formats import render_report

    if fmt == "terminal":
        from progress_cli.render.report_terminal import report_view

        out = console()
        for report in run:
            out.print(report_view(report, out.width))
        return
    if fmt == "json" and len(run) == 1:
        emit_json(next(iter(run)))
        return
    if fmt == "json":
        typer.echo("[")
        for i, report in enumerate(run):
            text = render_report(report, "json").data.rstrip("\n")
            typer.echo(text + ("," if i + 1 < len(run) else ""))
        typer.echo("]")
        return
    for i, report in enumerate(run):
        if i:
            typer.echo("\n---\n")
        typer.echo(render_report(report, fmt, **options).data, nl=False)


def _to_files(run, fmt: str, options: dict, out: Path | None, *, quiet: bool) -> None:
    """One file per learner under a directory, or the one file `--out` names."""
    from progress_cli.render.progress_bar import count_progress
    from progress_cli.render.report_formats import EXTENSIONS, render_report
    from progress_cli.services.output_files import is_directory_target, report_name, write_atomic

    ext = EXTENSIONS[fmt]
    single_file = len(run) == 1 and out is not None and not is_directory_target(out)
    folder = Path(".") if out is None else out
    written: list[Path] = []
    with count_progress(enabled=not quiet and len(run) > 1, total=len(run), label="reports") as advance:
        for report in run:
            path = out if single_file else folder / report_name(report["learner"]["id"], report["period"]["label"], ext)
            rendered = render_report(report, fmt, **options)
            for warning in rendered.warnings:
                typer.echo(f"Warning: {warning}", err=True)
            write_atomic(path, rendered.data)
            written.append(path)
            advance()
    if quiet:
        return
    if len(written) == 1:
        typer.echo(f"Wrote {written[0]}")
    else:
        typer.echo(f"Wrote {len(written)} reports ({run.period.label}) to {folder}{'' if str(folder).endswith('/') else '/'}")
