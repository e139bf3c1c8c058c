"""One report object, five renderings: terminal text, Markdown, PDF, JSON, HTML; for a
learner's report or a team's."""

from __future__ import annotations

import importlib
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


# format -> "module:function" in progress_cli.render, imported when used (fpdf2, jinja2 load slowly)
_LEARNER = {"md": "report_markdown:render_markdown", "pdf": "report_pdf:render_report_pdf",
            "html": "report_html:learner_html"}
_TEAM = {"md": "team_markdown:render_team_markdown", "pdf": "team_pdf:render_team_pdf",
         "html": "report_html:team_html"}


def render_report(report: dict[str, Any], fmt: str, *, template: str | None = None, paper: str = "a4",
                  font: str | None = None) -> Rendered:
    """The report as file contents in `fmt` (the terminal format as plain text)."""
    if fmt == "terminal":
        return Rendered(terminal_text(report))
    return _render(report, fmt, _LEARNER, template=template, paper=paper, font=font)


def render_team(report: dict[str, Any], fmt: str, *, template: str | None = None, paper: str = "a4",
                font: str | None = None) -> Rendered:
    """The team report as file contents in `fmt` (the terminal format as plain text)."""
    if fmt == "terminal":
        from progress_cli.render.team_terminal import team_view

        return Rendered(plain_text(team_view(report), TEAM_TEXT_WIDTH))
    return _render(report, fmt, _TEAM, template=template, paper=paper, font=font)


def _render(report: dict[str, Any], fmt: str, renderers: dict[str, str], *, template: str | None, paper: str,
            font: str | None) -> Rendered:
    if fmt == "json":
        return Rendered(json_text(report))
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}")
    module, name = renderers[fmt].split(":")
    render = getattr(importlib.import_module(f"progress_cli.render.{module}"), name)
    if fmt == "md":
        return Rendered(render(report, template))
    if fmt == "pdf":
        result = render(report, paper=paper, font=font)
        return Rendered(result.data, result.warnings)
    return Rendered(render(report))


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
