"""`progress report (--week [DATE|YYYY-Www] | --month [YYYY-MM]) ...`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from progress_cli.cli.delivery import eml_folder, finish_delivery, mail_settings
from progress_cli.cli.options import AsOf, EmailDryRun, Font, Paper, PaperSize, ReportFormat, email_option, json_option, out_option
from progress_cli.cli.output import console, emit_json
from progress_cli.cli.team_report import email_team_report, team_report
from progress_cli.cli.usage import Command, OneOf
from progress_cli.errors import NothingToDo, ProgressError, UsageError
from progress_cli.reports.periods import LAST, named_period  # stdlib only: `--help` stays fast

EVERYONE = "\x00everyone"  # what `--team` gets without a name: every learner as one team

_OPTIONAL_VALUE = {"--week": LAST, "--month": LAST, "--team": EVERYONE}


class ReportCommand(Command):
    """`--week`, `--month` and `--team` take an optional value: given alone (at the end, or
    before another option) they mean the last complete week or month, and every learner."""

    one_of = (OneOf(("week", "month"), required=True), OneOf(("learner", "all_learners", "team")))

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        filled: list[str] = []
        for i, arg in enumerate(args):
            filled.append(arg)
            if arg in _OPTIONAL_VALUE and (i + 1 == len(args) or args[i + 1].startswith("-")):
                filled.append(_OPTIONAL_VALUE[arg])
        return super().parse_args(ctx, filled)


def _checked_period(param: typer.CallbackParam, value: Optional[str]) -> Optional[str]:
    """Read a --week / --month value while the command line is parsed, so an error names the option."""
    if value is not None and value != LAST:
        try:
            named_period(param.name, value)
        except ProgressError as exc:
            raise ProgressError(f"--{param.name}: {exc}") from None
    return value


def report(
    ctx: typer.Context,
    week: Annotated[Optional[str], typer.Option(
        "--week", metavar="[DATE|YYYY-Www]", callback=_checked_period,
        help="Weekly report: the ISO week of DATE, or YYYY-Www; alone, the last complete week in --tz.")] = None,
    month: Annotated[Optional[str], typer.Option(
        "--month", metavar="[YYYY-MM]", callback=_checked_period, help="Monthly report: that calendar month; alone, the last complete month.")] = None,
    learner: Annotated[Optional[str], typer.Option("--learner", metavar="ID",
                                                   help="One learner (default: every learner).")] = None,
    all_learners: Annotated[bool, typer.Option("--all", help="Every learner (the default without --learner).")] = False,
    team: Annotated[Optional[str], typer.Option(
        "--team", metavar="[NAME]",
        help="One report over a team: the roster team NAME; alone, every learner as one team.")] = None,
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", help="terminal: Rich on stdout; md: Markdown; pdf: always a file; json: the report object; "
                         "html: one self-contained page (a file per learner for several).")
    ] = ReportFormat.terminal,
    # a file or a folder of one file per learner, unlike cert issue's folder: the help says which
    out: Annotated[Optional[Path], out_option(
        help="A file (one learner, or a team) or a directory: one <learner>-<period>.<ext> file per learner; "
             "with --email --dry-run, the folder of the .eml files.")] = None,
    template: Annotated[Optional[Path], typer.Option("--template", metavar="FILE",
                                                     help="Your own Jinja2 template (--format md).")] = None,
    paper: Paper = PaperSize.a4,
    font: Font = None,
    as_of: AsOf = None,
    # report has --format json too: the help says they are the same
    json_out: Annotated[bool, json_option("Same as --format json; with --email, the delivery's result.")] = False,
    email: Annotated[bool, email_option(
        "Send each learner with an e-mail address their report (HTML, plain text, the PDF attached), once; "
        "with --team, the team report to each manager_email of the team.")] = False,
    dry_run: EmailDryRun = False,
) -> None:
    """Weekly or monthly report of one learner or every learner, with charts; one file per learner under --out DIR.

    Sections: summary, time against the weekly goal, modules, achievements, improvements,
    challenges, recommendations, next week's goals, and the charts (progress, skills, heatmap,
    learning curve). With --team, one report over a team: headline, every learner, who is at
    risk and why, the certification pipeline, modules, the most improved.
    """
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services.reports import plan_reports

    settings = ctx.obj
    kind, value = _period_option(week, month)
    if sum((learner is not None, all_learners, team is not None)) > 1:
        raise UsageError("--learner ID, --all and --team [NAME] exclude each other: give one, not both")
    fmt_name = "json" if json_out or settings.json else fmt.value
    eml_dir = config = None
    if email:  # the SMTP settings are checked before any work
        _check_email_options(fmt, out, dry_run)
        eml_dir, config = eml_folder(dry_run, out), mail_settings(dry_run=dry_run)
    elif dry_run:
        raise UsageError("--dry-run applies to --email")
    else:
        _check_options(fmt_name, template, paper, font)
    options = {"template": str(template) if template else None, "paper": paper.value,
               "font": str(font) if font else None}
    json_email = json_out or settings.json
    if team is not None:
        team = None if team == EVERYONE else team
        if email:
            email_team_report(settings, kind=kind, value=value, as_of=as_of, team=team, options=options,
                              config=config, eml_dir=eml_dir, json_out=json_email)
        else:
            team_report(settings, kind=kind, value=value, as_of=as_of, team=team, fmt=fmt_name, options=options,
                        out=out)
        return
    run = plan_reports(settings.db, tz=settings.tz, kind=kind, value=value, as_of=as_of, learner_id=learner)
    if not run.learner_ids:
        raise NothingToDo("no learners in the store: import some events first")
    if email:
        _email(run, options, config=config, eml_dir=eml_dir, json_out=json_email, quiet=settings.quiet)
    elif out is None and fmt_name != "pdf" and not (fmt_name == "html" and len(run) > 1):
        _to_stdout(run, fmt_name, options)
    else:
        _to_files(run, fmt_name, options, out, quiet=settings.quiet)


def _period_option(week: str | None, month: str | None) -> tuple[str, str | None]:
    if (week is None) == (month is None):
        raise UsageError("give one of --week [DATE|YYYY-Www] or --month [YYYY-MM]")
    return ("week", week) if week is not None else ("month", month)


def _check_options(fmt: str, template: Path | None, paper: PaperSize, font: Path | None) -> None:
    if template is not None and fmt != "md":
        raise UsageError("--template applies to --format md")
    if (font is not None or paper != PaperSize.a4) and fmt != "pdf":
        raise UsageError("--paper and --font apply to --format pdf")


def _check_email_options(fmt: ReportFormat, out: Path | None, dry_run: bool) -> None:
    """--email sends HTML, text and PDF: no --format; --out only names a dry run's folder."""
    if fmt != ReportFormat.terminal:
        raise UsageError("--email sends the report as HTML and text with the PDF attached: leave out --format")
    if out is not None and not dry_run:
        raise UsageError("--out with --email names the folder of a --dry-run's .eml files")


def _email(run, options: dict, *, config, eml_dir: Path | None, json_out: bool, quiet: bool) -> None:
    """Deliver each learner's report once (DESIGN 10): one summary line, exit 1 when any failed."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.report_email import ReportEmail
    from progress_cli.services.mailing import deliver_reports
    from progress_cli.services.output_files import report_name

    outcome = deliver_reports(run, render=ReportEmail(file_name=report_name, **options), config=config,
                              dry_run_dir=eml_dir)
    finish_delivery(outcome, json_out=json_out, quiet=quiet)


def _to_stdout(run, fmt: str, options: dict) -> None:
    """terminal, md and json reports on stdout (several learners: one after the other; JSON: an array)."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.report_formats import render_report

    if fmt == "terminal":
        from progress_cli.render.report_terminal import report_view  # on use (Rich)

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
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
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
