"""`progress export LEARNER --format json|csv|pdf [--out PATH]`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from progress_cli.cli.report import Paper
from progress_cli.errors import UsageError


class ExportFormat(str, Enum):
    json = "json"
    csv = "csv"
    pdf = "pdf"


def export(
    ctx: typer.Context,
    learner: Annotated[str, typer.Argument(help="Learner id (see `progress learners`).")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="json (default), csv or pdf.")] = ExportFormat.json,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="File or directory (csv: a directory, or a zip when PATH ends in .zip). "
                      "Default: json on stdout, csv in ./<learner>-export/, pdf in ./<learner>-export.pdf.")] = None,
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", help="pdf: figures and charts as of the end of this day (json and csv hold everything stored).")] = None,
    paper: Annotated[Paper, typer.Option("--paper", help="PDF page size: a4 or letter.")] = Paper.a4,
    font: Annotated[Optional[Path], typer.Option("--font", metavar="TTF", help="PDF font for names DejaVu Sans cannot draw.")] = None,
) -> None:
    """Everything of one learner: events (re-importable), derived tables, and for PDF a readable record."""
    from progress_cli.services import export as service

    settings = ctx.obj
    if fmt != ExportFormat.pdf and (font is not None or paper != Paper.a4):
        raise UsageError("--paper and --font apply to --format pdf")
    if fmt == ExportFormat.json and out is None:
        from progress_cli.render.report_formats import json_text

        typer.echo(json_text(service.learner_data(settings.db, learner)), nl=False)
        return
    result = service.write_export(settings.db, learner, fmt.value, out, tz=settings.tz, as_of=as_of,
                                  paper=paper.value, font=str(font) if font else None)
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    if not settings.quiet:
        typer.echo(f"Wrote {result.path}")
