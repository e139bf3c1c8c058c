"""`progress export LEARNER --format json|csv|pdf [--out PATH]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from progress_cli.cli.options import ExportFormat, Font, LearnerArg, Paper, PaperSize, as_of_option
from progress_cli.cli.output import emit_json
from progress_cli.errors import UsageError


def export(
    ctx: typer.Context,
    learner: LearnerArg,
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", help="json: one document of everything; csv: one file per table; pdf: a readable record.")] = ExportFormat.json,
    # what --out names depends on the format here: the help says how
    out: Annotated[Optional[Path], typer.Option(
        "--out", metavar="PATH",
        help="File or directory (csv: a directory, or a zip when PATH ends in .zip). "
             "Default: json on stdout, csv in ./<learner>-export/, pdf in ./<learner>-export.pdf.")] = None,
    # only the PDF is computed as of a day; json and csv hold everything stored
    as_of: Annotated[Optional[str], as_of_option(
        "pdf: figures and charts as of the end of this day (json and csv hold everything stored).")] = None,
    paper: Paper = PaperSize.a4,
    font: Font = None,
) -> None:
    """Everything of one learner: events (re-importable as they are), derived tables, and for PDF a readable record."""
    from progress_cli.services import export as service

    settings = ctx.obj
    if fmt != ExportFormat.pdf and (font is not None or paper != PaperSize.a4):
        raise UsageError("--paper and --font apply to --format pdf")
    if fmt == ExportFormat.json and out is None:
        emit_json(service.learner_data(settings.db, learner))
        return
    result = service.write_export(settings.db, learner, fmt.value, out, tz=settings.tz, as_of=as_of,
                                  paper=paper.value, font=str(font) if font else None)
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    if not settings.quiet:
        typer.echo(f"Wrote {result.path}")
