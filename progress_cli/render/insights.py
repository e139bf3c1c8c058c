"""`insights` for the terminal: Rich panels and a plotext learning-curve chart."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from progress_cli.render.charts_terminal import plot_figure, plotted

_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}
_SCORES = (156, 163, 175)  # grey dots
_FIT = (59, 130, 246)  # the blue of DESIGN 7's progress line


def insights_view(result, *, width: int = 100) -> Group:
    """Header, patterns, the learning curve, forecasts and recommendations."""
    p = result.payload
    parts: list = [_header(p), _patterns(p["patterns"])]
    chart = curve_chart(result.curve_scores, result.curve_fit, width=max(40, width - 4))
    if chart is not None:
        parts.append(chart)
    parts.append(_forecasts(p["forecasts"]))
    skills = _skills(p["forecasts"]["skills"])
    if skills is not None:
        parts.append(skills)
    parts.append(_recommendations(p["recommendations"]))
    return Group(*parts)


def _header(p: dict) -> Panel:
    name = p["name"] or p["learner_id"]
    w = p["window"]
    as_of = dt.datetime.fromisoformat(p["as_of"]).strftime("%Y-%m-%d %H:%M %Z")
    line = Text.assemble((f"{name} ", "bold"), (f"({p['learner_id']})  ", "dim"),
                         f"recent window {w['start']} to {w['end']}: {w['active_days']} active of {w['days']} days")
    return Panel(line, title="Insights", subtitle=f"as of {as_of}")


def _num(value: float | None, fmt: str = ".1f", none: str = "—") -> str:
    return none if value is None else format(value, fmt)


def _patterns(pt: dict) -> Panel:
    lines: list[Text] = []
    hours = ", ".join(f"{h['hour']:02d}:00 ({h['share'] * 100:.0f}%)" for h in pt["peak_hours"]) or "—"
    days = ", ".join(f"{d['weekday']} ({d['share'] * 100:.0f}%)" for d in pt["peak_weekdays"]) or "—"
    lines.append(Text(f"peak hours: {hours}"))
    lines.append(Text(f"peak days: {days}"))
    s, tc, e = pt["session_length"], pt["time_consistency"], pt["engagement"]
    lines.append(Text(f"sessions: {s['sessions']}, {_num(s['average_minutes'], '.0f')} min on average "
                      f"(median {_num(s['median_minutes'], '.0f')}); {_num(e['sessions_per_week'])} a week"))
    consistency = "—" if tc["score"] is None else f"{tc['score']:.2f} (typical start {tc['typical_start'] or '—'})"
    lines.append(Text(f"time consistency: {consistency}"))
    lines.append(Text(f"active days: {e['active_days']}; longest gap {_num(e['longest_gap_days'], 'd')} days, "
                      f"current gap {_num(e['current_gap_days'], 'd')} days"))
    od = pt["optimal_difficulty"]
    if od["difficulty"] is not None:
        lines.append(Text(f"optimal difficulty: {od['difficulty']} (success {od['success_rate'] * 100:.0f}% over "
                          f"{od['attempts']} attempts; target 85%)"))
    else:
        lines.append(Text(f"optimal difficulty: — ({od['reason']})", style="dim"))
    for pl in pt["plateaus"]:
        style = "yellow" if pl["current"] else "dim"
        lines.append(Text(f"plateau: {pl['skill']}: stuck around {pl['mean']:.0f} for {pl['attempts']} attempts since "
                          f"{pl['start_date']}" + (", still on it" if pl["current"] else f", until {pl['end_date']}"),
                          style=style))
    for b in pt["breakthroughs"]:
        lines.append(Text(f"breakthrough: {b['skill']} +{b['rise']:.0f} points ({b['from']:.0f} to {b['to']:.0f}) "
                          f"by {b['end_date']}", style="green" if b["recent"] else "dim"))
    return Panel(Group(*lines), title="Patterns")


def curve_chart(scores: list[float], fit, *, width: int = 80, height: int = 16) -> Panel | None:
    """Scores by attempt number (dots) with the fitted curve (a line), or None without attempts.

    plotext draws in 24-bit colour; Rich maps it to what the terminal has and drops it off a
    terminal or with NO_COLOR."""
    if not scores:
        return None
    plt, fig = plot_figure(width, height)
    n = list(range(1, len(scores) + 1))
    fig.draw(fig.signal(n, scores, marker=plt.marker("·", _SCORES)))
    if fit is not None and fit.clear_trend and len(n) > 1:  # a curve without a trend would mislead
        fig.draw(fig.signal(n, [float(v) for v in fit.predict(n)], marker=plt.marker("braille", _FIT)).lines())
    fig.ruler("y").lim(0, 100).ticks([0, 25, 50, 75, 100])
    fig.ruler("x").lim(1, max(len(n), 2))
    text = plotted(fig)
    fig.clear()
    if fit is not None and fit.clear_trend:
        caption = f"· score per attempt   ━ {fit.describe()}"
    else:
        caption = f"· score per attempt   ({fit.describe() if fit is not None else 'no curve'})"
    return Panel(Group(text, Text(caption, style="dim")), title="Learning curve")


def _forecasts(f: dict) -> Table:
    """Completion (overall, then the modules not finished) and practice needed per week."""
    table = Table(title="Forecasts (80% intervals)", expand=True)
    for name in ("forecast", "estimate", "80% interval", "basis"):
        table.add_column(name)
    table.add_row(*_row("completion", f["completion"], str))
    for module_id, fm in f["modules"].items():
        if fm["reason"] != "finished":
            table.add_row(*_row(f"  {module_id}", fm, str))
    for module_id, fp in f.get("practice_needed", {}).items():
        if fp["reason"] != "finished":
            table.add_row(*_row(f"{module_id}: practice to meet its target", fp, lambda v: f"{v:.0f}", " min/week"))
    return table


def _skills(skills: dict) -> Table | None:
    """Per skill: the level in 30 days and the days to 85, each with its interval."""
    if not skills:
        return None
    table = Table(title="Skills: level in 30 days and days to 85 (80% intervals)", expand=True)
    for name in ("skill", "in 30 days", "days to 85", "basis"):
        table.add_column(name)
    for skill, fs in skills.items():
        level, mastery = fs["level_in_30_days"], fs["time_to_mastery_days"]
        why = level["basis"] or level["reason"] or ""
        if mastery["estimate"] is None and mastery["reason"] != level["reason"]:
            why += f"; to 85: {mastery['reason']}"
        table.add_row(skill, _cell(level, "{:.0f}"), _cell(mastery, "{:.0f}"), Text(why, style="dim"))
    return table


def _cell(f: dict, fmt: str) -> Text | str:
    if f["estimate"] is None:
        return Text("—", style="dim")
    if f["low"] == f["high"]:
        return fmt.format(f["estimate"])
    return f"{fmt.format(f['estimate'])} ({fmt.format(f['low'])}-{fmt.format(f['high'])})"


def _row(label: str, f: dict, fmt, unit: str = "") -> tuple[Any, ...]:
    if f["estimate"] is None:
        return label, Text("—", style="dim"), Text("—", style="dim"), Text(f["reason"] or "", style="dim")
    interval = fmt(f["low"]) if f["low"] == f["high"] else f"{fmt(f['low'])} to {fmt(f['high'])}"
    return label, fmt(f["estimate"]) + unit, interval + unit, Text(f["basis"] or "", style="dim")


def _recommendations(recs: list[dict]) -> Panel:
    if not recs:
        return Panel("Nothing to recommend yet: more practice gives the patterns something to show.",
                     title="Recommendations")
    lines = []
    for r in recs:
        target = " / ".join(x for x in (r["module_id"], r["skill"]) if x)
        lines.append(Text.assemble((f"{r['priority']:<6} ", _STYLE[r["priority"]]), (f"{target}: " if target else ""),
                                   r["reason"], (f"  (~{r['estimated_minutes']} min)", "dim")))
    return Panel(Group(*lines), title="Recommendations")
