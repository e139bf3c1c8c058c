"""Reports as Markdown, through a Jinja2 template (the shipped one, or `--template FILE`)."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from progress_cli.errors import ProgressError
from progress_cli.render import charts_markdown as charts
from progress_cli.render import report_text as text

DEFAULT_TEMPLATE = "report.md.j2"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_BAR = 20


def render_markdown(report: dict[str, Any], template: str | Path | None = None) -> str:
    """The report as Markdown; `template` is a Jinja2 file (see the README for its variables)."""
    return render_template(context(report), template, DEFAULT_TEMPLATE)


def render_template(variables: dict[str, Any], template: str | Path | None, default: str) -> str:
    """A Markdown template (the shipped `default`, or the user's file) with these variables."""
    compiled = _compiled(str(template) if template else None, default)
    try:
        return compiled.render(**variables)
    except Exception as exc:  # a user template's mistake: one line naming the file
        where = template or default
        raise ProgressError(f"--template {where}: {type(exc).__name__}: {exc}") from None


def context(report: dict[str, Any]) -> dict[str, Any]:
    """The variables a template sees."""
    c = report["charts"]
    return {
        "report": report,
        "sections": text.SECTIONS,
        "title": text.title(report),
        "name": text.display_name(report),
        "period_text": text.period_text(report),
        "as_of_text": text.as_of_text(report),
        "summary_rows": text.summary_rows(report),
        "time_line": text.time_line(report),
        "goal_bar": goal_bar(report["time"]["goal_progress"]),
        "award_lines": text.award_lines(report),
        "none_text": text.none_text(report),
        "recommendation_line": lambda rec: text.recommendation_line(report, rec),
        "charts_md": {
            "progress": charts.progress_mermaid(c["progress"]),
            "skills": charts.skills_mermaid(c["skills"]),
            "heatmap": charts.heatmap_text(c["heatmap"]),
            "curve": charts.curve_mermaid(c["curve"]),
        },
    }


def goal_bar(progress: float | None) -> str:
    """`[██████░░░░] 63%` for a ratio (capped at full)."""
    if progress is None:
        return "no weekly goal"
    filled = round(min(progress, 1.0) * _BAR)
    return f"[{'█' * filled}{'░' * (_BAR - filled)}] {progress * 100:.0f}%"


def escape(value: Any) -> str:
    """Markdown-escape a text (names and reasons may hold `*`, `_` or `|`)."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


@lru_cache(maxsize=8)
def _compiled(path: str | None, default: str = DEFAULT_TEMPLATE):
    from jinja2 import Environment, StrictUndefined, TemplateSyntaxError  # only for Markdown (terminal reports use goal_bar)

    env = Environment(autoescape=False, keep_trailing_newline=True, undefined=StrictUndefined)
    env.filters.update({
        "md": escape, "num": text.num, "pct": text.pct, "ratio_pct": text.ratio_pct, "signed": text.signed,
        "minutes": text.minutes, "module_label": text.module_label, "change_line": text.change_line,
    })
    if path is None:
        source = (resources.files("progress_cli") / "templates" / default).read_text(encoding="utf-8")
    else:
        try:
            source = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProgressError(f"--template {path}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        return env.from_string(source)
    except TemplateSyntaxError as exc:
        raise ProgressError(f"--template {path or default}: line {exc.lineno}: {exc.message}") from None
