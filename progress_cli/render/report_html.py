"""Learner and team reports as one self-contained HTML page (DESIGN 7): inline CSS, charts
as inline SVG in the seed's colours, no script, nothing fetched; readable on a phone (the
tables become cards under 640 px) and printable (print CSS). `learner_html` and `team_html`
return the page as text, for a file or an e-mail body."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from progress_cli.render import charts_svg
from progress_cli.render import report_text as text
from progress_cli.render import team_text
from progress_cli.reports.palette import HEAT_LEVELS


def learner_html(report: dict[str, Any]) -> str:
    return _environment().get_template("report.html.j2").render(**learner_context(report))


def team_html(report: dict[str, Any]) -> str:
    return _environment().get_template("team.html.j2").render(**team_context(report))


def learner_context(report: dict[str, Any]) -> dict[str, Any]:
    from markupsafe import Markup  # Jinja2's, loaded with it: only HTML reports need either

    c = report["charts"]
    name = text.display_name(report)
    return {
        "report": report, "sections": text.SECTIONS, "title": text.title(report), "name": name,
        "page_title": f"{text.title(report)}: {name}", "footer": f"progress-cli · {text.title(report)} · {name}",
        "period_text": text.period_text(report), "as_of_text": text.as_of_text(report),
        "summary_rows": text.summary_rows(report), "time_line": text.time_line(report),
        "award_lines": text.award_lines(report), "none_text": text.none_text(report),
        "recommendation_line": lambda rec: text.recommendation_line(report, rec),
        "module_label": text.module_label, "change_line": text.change_line, "pct": text.pct, "num": text.num,
        "signed": text.signed, "minutes": text.minutes,
        "charts": {"progress": Markup(charts_svg.progress_svg(c["progress"])),
                   "skills": Markup(charts_svg.skills_svg(c["skills"])),
                   "heatmap": Markup(charts_svg.heatmap_svg(c["heatmap"])),
                   "curve": Markup(charts_svg.curve_svg(c["curve"]))},
    }


def team_context(report: dict[str, Any]) -> dict[str, Any]:
    from markupsafe import Markup  # Jinja2's, loaded with it: only HTML reports need either

    t = team_text
    titles = {m["module_id"]: m["title"] for m in report["modules"]}
    return {
        "report": report, "sections": t.SECTIONS, "title": t.title(report), "team_name": t.team_name(report),
        "page_title": f"{t.title(report)}: {t.team_name(report)}",
        "footer": f"progress-cli · {t.title(report)} · {t.team_name(report)}",
        "period_text": text.period_text(report), "as_of_text": text.as_of_text(report),
        "cards": headline_cards(report),
        "learner_columns": t.LEARNER_COLUMNS, "learner_cells": lambda row: t.learner_cells(row, report),
        "learner_labels": t.LEARNER_LABELS, "learner_legend": t.LEARNER_LEGEND, "learner_label": t.learner_label,
        "module_title": lambda module_id: titles.get(module_id, module_id),
        "pct_risk": lambda risk: f"{risk * 100:.0f}%",
        "pipeline_rows": t.pipeline_rows(report),
        "module_columns": t.MODULE_COLUMNS, "module_cells": t.module_cells,
        "spread_svg": lambda m: Markup(charts_svg.spread_svg(m)),
        "spread_colours": [HEAT_LEVELS[0][2], HEAT_LEVELS[1][2], HEAT_LEVELS[2][2], HEAT_LEVELS[4][2]],
        "improved_line": t.improved_line, "none_text": t.none_text(report),
    }


def headline_cards(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline as cards: key and raw value (for scripts), text, change against the previous period."""
    h, c = report["headline"], report["headline"]["change"]
    vs = f"vs the previous {team_text.word(report)}"
    cards = [
        {"key": "learners", "value": h["learners"], "label": "Learners", "text": str(h["learners"]), "change": ""},
        {"key": "active", "value": h["active"], "label": "Active", "text": f"{h['active']}",
         "change": f"{team_text.change(c['active'])} {vs}"},
        {"key": "practice_minutes", "value": h["practice_minutes"], "label": "Minutes practised",
         "text": f"{h['practice_minutes']:.0f}", "change": f"{team_text.change(c['practice_minutes'])} {vs}"},
        {"key": "minutes_per_learner", "value": h["minutes_per_learner"], "label": "Minutes per learner",
         "text": text.num(h["minutes_per_learner"], 0), "change": f"{team_text.change(c['minutes_per_learner'])} {vs}"},
    ]
    if h["goal_met"] is not None:
        cards.append({"key": "goal_met", "value": h["goal_met"], "label": f"Met the goal of {h['goal_minutes']:.0f} min",
                      "text": str(h["goal_met"]), "change": f"{team_text.change(c['goal_met'])} {vs}"})
    cards.append({"key": "at_risk", "value": h["at_risk"], "label": "At risk", "text": str(h["at_risk"]),
                  "change": "risk of not finishing a module in time ≥ 50%", "alert": h["at_risk"] > 0})
    return [{"alert": False} | card for card in cards]


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape  # only for HTML reports

    return Environment(loader=PackageLoader("progress_cli", "templates"), undefined=StrictUndefined,
                       autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
