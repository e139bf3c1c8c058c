"""One report object, five renderings: terminal text, Markdown, PDF, JSON, HTML; for a
learner's report or a team's."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

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
    if fmt == "md":
        from progress_cli.render.report_markdown import render_markdown

        return Rendered(render_markdown(report, template))
    if fmt == "pdf":
        from progress_cli.render.report_pdf import render_report_pdf

        result = render_report_pdf(report, paper=paper, font=font)
        return Rendered(result.data, result.warnings)
    if fmt == "json":
        return Rendered(json_text(report))
    if fmt == "terminal":
        return Rendered(terminal_text(report))
    if fmt == "html":
        from progress_cli.render.report_html import learner_html

        return Rendered(learner_html(report))
    raise ValueError(f"unknown format {fmt!r}")


def render_team(report: dict[str, Any], fmt: str, *, template: str | None = None, paper: str = "a4",
                font: str | None = None) -> Rendered:
    """The team report as file contents in `fmt` (the terminal format as plain text)."""
    if fmt == "md":
        from progress_cli.render.team_markdown import render_team_markdown

        return Rendered(render_team_markdown(report, template))
    if fmt == "pdf":
        from progress_cli.render.team_pdf import render_team_pdf

        result = render_team_pdf(report, paper=paper, font=font)
        return Rendered(result.data, result.warnings)
    if fmt == "json":
        return Rendered(json_text(report))
    if fmt == "html":
        from progress_cli.render.report_html import team_html

        return Rendered(team_html(report))
    if fmt == "terminal":
        from progress_cli.render.team_terminal import team_view

        return Rendered(plain_text(team_view(report), TEAM_TEXT_WIDTH))
    raise ValueError(f"unknown format {fmt!r}")


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def terminal_text(report: dict[str, Any], width: int = TEXT_WIDTH) -> str:
    from progress_cli.render.report_terminal import report_view

    return plain_text(report_view(report, width), width)


def plain_text(renderable, width: int) -> str:
    """A Rich renderable as plain text (no colour), `width` columns wide."""
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False, highlight=False).print(renderable)
    return buffer.getvalue()
