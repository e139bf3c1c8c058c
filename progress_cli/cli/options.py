"""Options and arguments that several commands share, declared once, and the fixed sets of
values some options take, as Enums so that `--help` lists them.

A command that needs another help text for a shared option builds it with the `*_option`
function beside the alias and says why in a comment there. The Enums' values are contract
(scripts pass them): add a value, never rename one. The services take the plain strings
(`.value`); `tests/test_cli_surface.py` holds each Enum equal to the set its service accepts.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from progress_cli.config import parse_as_of
from progress_cli.errors import ProgressError


class ImportFormat(str, Enum):
    """`import --format` (ingest.reader.FORMATS): a new reader adds its name here."""

    auto = "auto"
    jsonl = "jsonl"
    csv = "csv"
    json = "json"
    xapi = "xapi"
    caliper = "caliper"
    edx = "edx"


class RankBy(str, Enum):
    """`leaderboard --by`."""

    points = "points"
    progress = "progress"
    streak = "streak"


class RankPeriod(str, Enum):
    """`leaderboard --period`: points earned in the ISO week or calendar month of --as-of, or ever."""

    week = "week"
    month = "month"
    all = "all"


class ReportFormat(str, Enum):
    """`report --format` (render.report_formats.FORMATS)."""

    terminal = "terminal"
    md = "md"
    pdf = "pdf"
    json = "json"
    html = "html"


class ExportFormat(str, Enum):
    """`export --format`."""

    json = "json"
    csv = "csv"
    pdf = "pdf"


class PaperSize(str, Enum):
    """`--paper` of PDF reports and exports."""

    a4 = "a4"
    letter = "letter"


class ChartKind(str, Enum):
    """`chart KIND`: the reports' charts (reports.charts)."""

    progress = "progress"
    skills = "skills"
    heatmap = "heatmap"
    curve = "curve"


def _checked_as_of(ctx: typer.Context, value: Optional[str]) -> Optional[str]:
    """Read --as-of while the command line is parsed, so a bad value is named as the option;
    the services read it again (in their own words) when they are called by other code."""
    if value is not None:
        try:
            parse_as_of(value, ctx.obj.tz)
        except ProgressError as exc:
            raise ProgressError(f"--as-of: {exc}") from None
    return value


AS_OF_HELP = "As it was at the end of this day (YYYY-MM-DD, in --tz): later events are ignored."
JSON_HELP = "Machine-readable output (its keys are listed in the README)."


def as_of_option(help: str = AS_OF_HELP):
    return typer.Option("--as-of", metavar="DATE", callback=_checked_as_of, help=help)


def json_option(help: str = JSON_HELP):
    return typer.Option("--json", help=help)


def email_option(help: str):
    """`--email` of report, cert issue and cert remind: each says what it sends."""
    return typer.Option("--email", help=help)


def out_option(help: str):
    """`--out PATH` of a file or a folder: written with a trailing separator it names a folder,
    even one that does not exist yet (see services.output_files.FolderPath)."""
    return typer.Option("--out", metavar="PATH", help=help, parser=_output_path)


def _output_path(text: str) -> Path:
    from progress_cli.services.output_files import output_path  # small; loaded only when --out is given

    return output_path(text)


AsOf = Annotated[Optional[str], as_of_option()]
JsonOut = Annotated[bool, json_option()]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars and no summaries; errors only.")]
LearnerArg = Annotated[str, typer.Argument(metavar="LEARNER", help="Learner id (see `progress learners`).")]
EmailDryRun = Annotated[bool, typer.Option(
    "--dry-run", help="With --email: send nothing; write each message as a .eml file to --out DIR.")]
Paper = Annotated[PaperSize, typer.Option("--paper", help="PDF page size.")]
Font = Annotated[Optional[Path], typer.Option(
    "--font", metavar="TTF", help="PDF font file for names DejaVu Sans cannot draw (e.g. Noto Sans CJK).")]
