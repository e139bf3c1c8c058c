"""`progress export LEARNER --format json|csv|pdf [--out PATH]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from progress_cli.cli.options import ExportFormat, Font, LearnerArg, Paper, PaperSize, as_of_option, out_option
from progress_cli.json_output import to_json
from progress_cli.errors import UsageError


def export(
    ctx: typer.Context,
    learner: LearnerArg,
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", help="json: one document of everything; csv: one file per table; pdf: a readable record.")] = ExportFormat.json,
    # what --out names depends on the format here: the help says how
    out: Annotated[Optional[Path], out_option(
        help="File or directory (csv: a directory, or a zip when PATH ends in .zip). "
             "Default: json on stdout, csv in ./<learner>-export/, pdf in ./<learner>-export.pdf.")] = None,
    # only the PDF is computed as of a day; json and csv hold everything stored
    as_of: Annotated[Optional[str], as_of_option(
        "pdf: figures and charts as of the end of this day (json and csv hold everything stored).")] = None,
    paper: Paper = PaperSize.a4,
    font: Font = None,
) -> None:
    """Everything of one learner: events (re-importable as they are), derived tables, and for PDF a readable record."""
    # on use, not at import: `--help` stays fast (see cli/__init__.py)
    from progress_cli.services import export as service
    from progress_cli.services.output_files import write_atomic

    settings = ctx.obj
    if fmt != ExportFormat.pdf and (font is not None or paper != PaperSize.a4):
        raise UsageError("--paper and --font apply to --format pdf")
    warnings: list[str] = []
    if fmt == ExportFormat.csv:
        path = service.write_csv_export(settings.db, learner, out)
    else:
        if fmt == ExportFormat.json:
            data = to_json(service.learner_data(settings.db, learner)) + "\n"
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
