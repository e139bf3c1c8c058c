"""The team report as Markdown, through a Jinja2 template (the shipped one, or `--template FILE`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from progress_cli.render import team_text as text
from progress_cli.render.report_markdown import render_template
from progress_cli.render.report_text import as_of_text

DEFAULT_TEMPLATE = "team.md.j2"


def render_team_markdown(report: dict[str, Any], template: str | Path | None = None) -> str:
    return render_template(context(report), template, DEFAULT_TEMPLATE)


def context(report: dict[str, Any]) -> dict[str, Any]:
    """The variables a team template sees (README, "Team reports")."""
    return {
        "report": report,
        "sections": text.SECTIONS,
        "title": text.title(report),
        "subtitle": text.subtitle(report),
        "as_of_text": as_of_text(report),
        "headline_rows": text.headline_rows(report),
        "at_risk_line": lambda entry: text.at_risk_line(entry, report),
        "learner_columns": text.LEARNER_COLUMNS,
        "learner_cells": lambda row: text.learner_cells(row, report),
        "learner_legend": text.LEARNER_LEGEND,
        "pipeline_rows": text.pipeline_rows(report),
        "module_columns": text.MODULE_COLUMNS,
        "module_cells": text.module_cells,
        "improved_line": text.improved_line,
        "none_text": text.none_text(report),
    }
