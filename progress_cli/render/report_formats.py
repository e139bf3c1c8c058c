"""One report object, five renderings: terminal text, Markdown, PDF, JSON, HTML; for a
learner's report or a team's."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Callable

from progress_cli.json_output import to_json

FORMATS = ("terminal", "md", "pdf", "json", "html")
EXTENSIONS = {"terminal": "txt", "md": "md", "pdf": "pdf", "json": "json", "html": "html"}
TEXT_WIDTH = 100  # columns of a terminal report written to a file
TEAM_TEXT_WIDTH = 120  # the team's table needs more


@dataclass
class Rendered:
    data: str | bytes
    warnings: list[str] = field(default_factory=list)


def render_report(report: dict[str, Any], fmt: str, *, template: str | None = None, paper: str = "a4",
                  font: str | None = None) -> Rendered:
    """The report as file contents in `fmt` (the terminal format as plain text)."""
    if fmt == "terminal":
        return Rendered(terminal_text(report))
    return _render(report, fmt, team=False, template=template, paper=paper, font=font)


def render_team(report: dict[str, Any], fmt: str, *, template: str | None = None, paper: str = "a4",
                font: str | None = None) -> Rendered:
    """The team report as file contents in `fmt` (the terminal format as plain text)."""
    if fmt == "terminal":
        from progress_cli.render.team_terminal import team_view  # Rich only for this format (see _renderer)

        return Rendered(plain_text(team_view(report), TEAM_TEXT_WIDTH))
    return _render(report, fmt, team=True, template=template, paper=paper, font=font)


def _render(report: dict[str, Any], fmt: str, *, team: bool, template: str | None, paper: str,
            font: str | None) -> Rendered:
    if fmt == "json":
        return Rendered(to_json(report) + "\n")
    render = _renderer(fmt, team=team)
    if fmt == "md":
        return Rendered(render(report, template))
    if fmt == "pdf":
        result = render(report, paper=paper, font=font)
        return Rendered(result.data, result.warnings)
    return Rendered(render(report))


def _renderer(fmt: str, *, team: bool) -> Callable:
    """The function that draws a learner's or a team's report in `fmt`."""
    # Each format imports only its own renderers: a JSON report loads neither fpdf2 (~0.3 s),
    # Jinja2 nor Rich.
    if fmt == "md":
        from progress_cli.render import report_markdown, team_markdown

        return team_markdown.render_team_markdown if team else report_markdown.render_markdown
    if fmt == "pdf":
        from progress_cli.render import report_pdf, team_pdf

        return team_pdf.render_team_pdf if team else report_pdf.render_report_pdf
    if fmt == "html":
        from progress_cli.render import report_html

        return report_html.team_html if team else report_html.learner_html
    raise ValueError(f"unknown format {fmt!r}")


def terminal_text(report: dict[str, Any], width: int = TEXT_WIDTH) -> str:
    from progress_cli.render.report_terminal import report_view  # Rich only for this format (see _renderer)

    return plain_text(report_view(report, width), width)


def plain_text(renderable, width: int) -> str:
    """A Rich renderable as plain text (no colour), `width` columns wide."""
    from rich.console import Console  # Rich only for the terminal format (see _renderer)

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False, highlight=False).print(renderable)
    return buffer.getvalue()
