"""The `status` dashboard for the terminal (Rich)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from progress_cli.render.report_text import forecast_line
from progress_cli.render.terminal import READINESS_STYLE

_BAR = 20


def status_view(status: dict[str, Any], completion: dict[str, Any] | None = None) -> Group:
    """Summary line (with the completion forecast, when given), modules, skills, this week,
    recent sessions and recommendations."""
    parts: list = [_summary(status, completion), _modules(status["modules"])]
    if status["skills"]:
        parts.append(_skills(status["skills"]))
    if status["recent_activity"]["sessions"]:
        parts.append(_sessions(status["recent_activity"]["sessions"]))
    parts.append(_achievements(status))
    parts.append(_recommendations(status["recommendations"]))
    return Group(*parts)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _num(value: float | None, fmt: str = ".1f") -> str:
    return "—" if value is None else format(value, fmt)


def _summary(status: dict[str, Any], completion: dict[str, Any] | None) -> Panel:
    o, s = status["overall"], status["summary"]
    name = status["learner"]["name"] or status["learner"]["id"]
    hours = (o["total_time_s"] or 0) / 3600
    goal = s["weekly_goal_minutes"]
    week = f"{s['week_minutes']:.0f}/{goal:g} min this week" if goal else f"{s['week_minutes']:.0f} min this week"
    line = Text.assemble(
        (f"{name} ", "bold"), (f"({status['learner']['id']})  ", "dim"),
        f"progress {_pct(o['total_progress'])} · certificate {_pct(o['certificate_progress'])} · ",
        f"streak {o['streak_days']}d · {week} · {hours:.1f} h practised",
    )
    extra = []
    if o["strengths"]:
        extra.append(f"strengths: {', '.join(o['strengths'])}")
    if o["weaknesses"]:
        extra.append(f"weaknesses: {', '.join(o['weaknesses'])}")
    lines = [line, Text("  ".join(extra), style="dim")] if extra else [line]
    if completion is not None:
        lines.append(Text(f"completion: {forecast_line(completion)}"))
        if completion["basis"] and completion["estimate"] is not None:
            lines.append(Text(completion["basis"], style="dim"))
    lines += _risk_lines(status.get("risk"))
    body = Group(*lines)
    as_of = dt.datetime.fromisoformat(status["as_of"]).strftime("%Y-%m-%d %H:%M %Z")
    return Panel(body, title="Status", subtitle=f"as of {as_of}", expand=True)


def _risk_lines(risk: dict | None) -> list[Text]:
    """The learner's risk (DESIGN 5.7), with its module and reasons, when it is known."""
    if not risk or risk["risk"] is None:
        return []
    style = "bold red" if risk["at_risk"] else "green"
    word = "at risk" if risk["at_risk"] else "on track"
    why = f": {'; '.join(risk['reasons'])}" if risk["reasons"] else ""
    return [Text.assemble(("risk ", "dim"), (f"{risk['risk'] * 100:.0f}% {word}", style),
                          (f" in {risk['module_id']}{why}", "dim"))]


def _modules(modules: list[dict]) -> Table:
    table = Table(title="Modules", expand=True)
    for name, justify in (("module", "left"), ("done", "right"), ("avg score", "right"), ("attempts", "right"),
                          ("sessions", "right"), ("time", "right"), ("readiness", "left"), ("trend", "left")):
        table.add_column(name, justify=justify)
    for m in modules:
        label = m["module_id"] if m["in_catalog"] else f"{m['module_id']} (not in catalog)"
        readiness = Text(m["readiness"], style=READINESS_STYLE.get(m["readiness"], ""))
        trend = m["trend"]["direction"] or "—"
        if m["trend"]["slope"] is not None:
            trend = f"{trend} ({m['trend']['slope']:+.1f})"
        table.add_row(label, f"{m['completed_tasks']}/{m['tasks_total']} {_pct(m['completion_rate'])}",
                      _num(m["average_score"]), str(m["attempts"]), str(m["session_count"]),
                      f"{(m['total_time_s'] or 0) / 60:.0f} min", readiness, trend)
    return table


def _bar(value: float | None) -> Text:
    if value is None:
        return Text("—", style="dim")
    filled = round(value / 100 * _BAR)
    style = "green" if value >= 70 else "yellow" if value >= 50 else "red"
    return Text.assemble(("█" * filled, style), ("░" * (_BAR - filled), "dim"), f" {value:.0f}")


def _skills(skills: list[dict]) -> Table:
    table = Table(title="Skills", expand=True)
    for name in ("skill", "level", "current", "mastery", "consistency", "next milestone"):
        table.add_column(name)
    for s in skills:
        nxt = s["next_milestone"]
        milestone = "—" if nxt is None else (
            f"{nxt['level']} at {nxt['threshold']:g}"
            + (f" in ~{nxt['attempts_needed']} attempts" if nxt["attempts_needed"] is not None else ""))
        table.add_row(s["skill"], s["level"] or "—", _num(s["current_level"]), _bar(s["mastery"]),
                      _num(s["consistency"], ".2f"), milestone)
    return table


def _sessions(sessions: list[dict]) -> Table:
    table = Table(title="Recent sessions", expand=True)
    for name in ("start (UTC)", "module", "minutes", "events", "avg score"):
        table.add_column(name)
    for s in sessions:
        table.add_row(s["start"][:16].replace("T", " "), s["module_id"], f"{s['duration_s'] / 60:.0f}",
                      str(s["events"]), _num(s["average_score"]))
    return table


def _achievements(status: dict[str, Any]) -> Panel:
    earned = status["achievements"]
    points = sum(a["points"] for a in earned)
    lines = [Text(f"{len(earned)} earned, {points} points")]
    for a in status["recent_activity"]["achievements"]:
        lines.append(Text(f"new: {a['name']} ({a['earned_at'][:10]})", style="green"))
    for m in status["upcoming_milestones"]:
        when = f", ~{m['estimated_date']}" if m["estimated_date"] else ""
        lines.append(Text(f"next: {m['name']} {m['progress'] * 100:.0f}%{when}"))
    return Panel(Group(*lines), title="Achievements and milestones")


def _recommendations(recs: list[dict]) -> Panel:
    if not recs:
        return Panel("Nothing to recommend: keep going.", title="Recommendations")
    style = {"high": "bold red", "medium": "yellow", "low": "dim"}
    lines = []
    for r in recs:
        target = " / ".join(x for x in (r["module_id"], r["skill"]) if x)
        lines.append(Text.assemble((f"{r['priority']:<6} ", style[r["priority"]]),
                                   (f"{target}: " if target else ""), r["reason"],
                                   (f"  (~{r['estimated_minutes']} min)", "dim")))
    return Panel(Group(*lines), title="Recommendations")
