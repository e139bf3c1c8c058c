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
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.report_formats import json_text
    from progress_cli.services import export as service
    from progress_cli.services.output_files import write_atomic

    settings = ctx.obj
    if fmt != ExportFormat.pdf and (font is not None or paper != Paper.a4):
        raise UsageError("--paper and --font apply to --format pdf")
    warnings: list[str] = []
    if fmt == ExportFormat.csv:
        path = service.write_csv_export(settings.db, learner, out)
    else:
        if fmt == ExportFormat.json:
            data = json_text(service.learner_data(settings.db, learner))
            if out is None:
                typer.echo(data, nl=False)
                return
        else:
            data, warnings = _pdf(service.learner_record(settings.db, learner, tz=settings.tz, as_of=as_of),
                                  paper=paper.value, font=str(font) if font else None)
        path = service.export_path(out, learner, fmt.value)
        write_atomic(path, data)
    for warning in warnings:
        typer.echo(f"Warning: {warning}", err=True)
    if not settings.quiet:
        typer.echo(f"Wrote {path}")


def _pdf(record: dict, *, paper: str, font: str | None) -> tuple[bytes, list[str]]:
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.render.export_pdf import render_export_pdf

    result = render_export_pdf(record, paper=paper, font=font)
    return result.data, result.warnings
