"""One report object, four renderings: terminal text, Markdown, PDF, JSON."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from progress_cli.json_output import to_json

FORMATS = ("terminal", "md", "pdf", "json")
EXTENSIONS = {"terminal": "txt", "md": "md", "pdf": "pdf", "json": "json"}
TEXT_WIDTH = 100  # columns of a terminal report written to a file


@dataclass
class Rendered:
    data: str | bytes
    warnings: list[str] = field(default_factory=list)


def render_report(report: dict[str, Any], fmt: str, *, template: str | None = None, paper: str = "a4",
                  font: str | None = None) -> Rendered:
    """The report as file contents in `fmt` (the terminal format as plain text)."""
    # Each format imports only its own renderer: a JSON report loads neither fpdf2 (~0.3 s),
    # Jinja2 nor Rich.
    if fmt == "md":
        from progress_cli.render.report_markdown import render_markdown

        return Rendered(render_markdown(report, template))
    if fmt == "pdf":
        from progress_cli.render.report_pdf import render_report_pdf

        result = render_report_pdf(report, paper=paper, font=font)
        return Rendered(result.data, result.warnings)
    if fmt == "json":
        return Rendered(to_json(report) + "\n")
    if fmt == "terminal":
        return Rendered(terminal_text(report))
    raise ValueError(f"unknown format {fmt!r}")


def terminal_text(report: dict[str, Any], width: int = TEXT_WIDTH) -> str:
    from rich.console import Console  # Rich only for this format (see render_report)

    from progress_cli.render.report_terminal import report_view

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False, highlight=False).print(
        report_view(report, width))
    return buffer.getvalue()
