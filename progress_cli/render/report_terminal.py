"""A report for the terminal (Rich): the sections of DESIGN 7, then the four charts."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from progress_cli.render import charts_terminal as charts
from progress_cli.render import report_text as text
from progress_cli.render.report_markdown import goal_bar
from progress_cli.render.terminal import READINESS_STYLE

_PRIORITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}


def report_view(report: dict[str, Any], width: int = 100) -> Group:
    """Everything of one report; `width` sizes the charts (the console's width)."""
    s = text.SECTIONS
    c = report["charts"]
    chart_width = max(width - 4, 30)
    return Group(
        _header(report),
        _summary(report),
        _section(s["time"], Group(Text(text.time_line(report)), Text(goal_bar(report["time"]["goal_progress"]),
                                                                     style="blue"))),
        _section(s["modules"], _modules(report) if report["modules"] else _none(report)),
        _section(s["awards"], _lines(text.award_lines(report), report)),
        _section(s["improvements"], _lines([text.change_line(x) for x in report["improvements"]], report, "green")),
        _section(s["challenges"], _lines([text.change_line(x) for x in report["challenges"]], report, "red")),
        _section(s["recommendations"], _recommendations(report)),
        _section(s["goals"], _goals(report)),
        _section(s["progress"], charts.progress_chart(c["progress"], chart_width)),
        _section(s["skills"], charts.skills_chart(c["skills"], chart_width)),
        _section(s["heatmap"], charts.heatmap_chart(c["heatmap"])),
        _section(s["curve"], charts.curve_chart(c["curve"], chart_width)),
    )


def _header(report: dict[str, Any]) -> Panel:
    line = Text.assemble((text.display_name(report), "bold"), (f" ({report['learner']['id']})", "dim"),
                         f"  ·  {text.period_text(report)}")
    return Panel(line, title=text.title(report), subtitle=f"as of {text.as_of_text(report)}", expand=True)


def _summary(report: dict[str, Any]) -> Panel:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in text.summary_rows(report):
        table.add_row(label, value)
    return Panel(table, title=text.SECTIONS["summary"], title_align="left")


def _section(title: str, body) -> Group:
    return Group(Rule(title, align="left", style="dim"), body, Text(""))


def _none(report: dict[str, Any]) -> Text:
    return Text(text.none_text(report), style="dim")


def _lines(lines: list[str], report: dict[str, Any], style: str = "") -> Group | Text:
    if not lines:
        return _none(report)
    return Group(*(Text(f"• {line}", style=style) for line in lines))


def _modules(report: dict[str, Any]) -> Table:
    table = Table(expand=True)
    for name, justify in (("module", "left"), ("completion", "right"), ("change", "right"), ("tasks done", "right"),
                          ("attempts", "right"), ("avg score", "right"), ("time", "right"), ("readiness", "left")):
        table.add_column(name, justify=justify)
    for m in report["modules"]:
        table.add_row(text.module_label(m), text.pct(m["completion_rate"]), text.signed(m["completion_change"], 1, " pts"),
                      str(m["tasks_completed"]), str(m["attempts"]), text.num(m["average_score"]),
                      text.minutes(m["minutes"]), Text(m["readiness"], style=READINESS_STYLE.get(m["readiness"], "")))
    return table


def _recommendations(report: dict[str, Any]) -> Group | Text:
    if not report["recommendations"]:
        return Text("Nothing to recommend: keep going.", style="dim")
    return Group(*(Text.assemble((f"{r['priority']:<7}", _PRIORITY_STYLE[r["priority"]]),
                                 text.recommendation_line(report, r)) for r in report["recommendations"]))


def _goals(report: dict[str, Any]) -> Group | Text:
    if not report["next_goals"]:
        return Text("No goals: the catalog sets no weekly goal and nothing needs attention.", style="dim")
    return Group(*(Text(f"☐ {g['text']}") for g in report["next_goals"]))
