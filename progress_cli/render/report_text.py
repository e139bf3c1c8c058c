"""Wording and number formats shared by the report renderers (terminal, Markdown, PDF), so
the three say the same thing the same way. Display only: rounding happens here, never in
the report object."""

from __future__ import annotations

import datetime as dt
from typing import Any

DASH = "—"
SECTIONS = {
    "summary": "Summary",
    "time": "Time practised",
    "modules": "Modules progressed",
    "awards": "Achievements and milestones",
    "improvements": "Improvements",
    "challenges": "Challenges",
    "recommendations": "Recommendations",
    "goals": "Next week's goals",
    "progress": "Progress vs target (last 30 days)",
    "skills": "Skills (current level)",
    "heatmap": "Activity (last 90 days)",
    "curve": "Learning curve (score per attempt)",
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def forecast_line(f: dict[str, Any] | None) -> str:
    """A completion forecast in words: its date and 80% interval, or why there is none."""
    if f is None:
        return DASH
    if f["estimate"] is None:
        return f"no forecast: {f['reason']}" if f["reason"] != "finished" else "finished"
    return f"around {f['estimate']} (80%: {f['low']} to {f['high']})"


def num(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    return DASH if value is None else f"{value:.0f}%"


def ratio_pct(value: float | None) -> str:
    """A ratio (1.0 = 100%) as a percentage."""
    return DASH if value is None else f"{value * 100:.0f}%"


def signed(value: float | None, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return DASH
    text = f"{value:+.{digits}f}"
    if text.lstrip("+-").strip("0.") == "":
        text = f"{0:.{digits}f}"  # no "+0.0" / "-0.0"
    return f"{text}{unit}"


def minutes(value: float | None) -> str:
    return DASH if value is None else f"{value:.0f} min"


def display_name(report: dict[str, Any]) -> str:
    return report["learner"]["name"] or report["learner"]["id"]


def kind_word(report: dict[str, Any]) -> str:
    return "week" if report["period"]["kind"] == "week" else "month"


def title(report: dict[str, Any]) -> str:
    p = report["period"]
    word = "Weekly" if p["kind"] == "week" else "Monthly"
    return f"{word} report {p['label']}"


def period_text(report: dict[str, Any]) -> str:
    """'16–22 Nov 2026', '1–30 Nov 2026', or '28 Sep – 4 Oct 2026'; '(to date)' when running."""
    p = report["period"]
    start, end = dt.date.fromisoformat(p["start"]), dt.date.fromisoformat(p["end"])
    if start.year != end.year:
        text = f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
    elif start.month != end.month:
        text = f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    else:
        text = f"{start.day}–{end.day} {end:%b %Y}"
    return text if p["complete"] else f"{text} (to date)"


def as_of_text(report: dict[str, Any]) -> str:
    return dt.datetime.fromisoformat(report["as_of"]).strftime("%Y-%m-%d %H:%M %Z").strip()


def summary_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) lines of the summary section."""
    s, t = report["summary"], report["time"]
    word = kind_word(report)
    score = num(s["average_score"])
    if s["average_score_change"] is not None:
        score += f" ({signed(s['average_score_change'])} vs the previous {word})"
    return [
        ("Overall progress", f"{pct(s['total_progress'])} ({signed(s['progress_change'], unit=' pts')} this {word})"),
        ("Certificate readiness", pct(s["certificate_progress"])),
        ("Practice", f"{minutes(t['minutes'])} on {s['active_days']} active day{_s(s['active_days'])}, "
                     f"{s['sessions']} session{_s(s['sessions'])}"),
        ("Attempts", f"{s['attempts']}, average score {score}"),
        ("Tasks completed", str(s["tasks_completed"])),
        ("Streak", f"{s['streak_days']} day{_s(s['streak_days'])}"),
        ("Completion forecast", forecast_line(report.get("forecast"))),
    ]


def time_line(report: dict[str, Any]) -> str:
    t = report["time"]
    goal = t["goal_minutes"]
    if not goal:
        return f"{t['minutes']:.0f} minutes practised (no weekly goal set)"
    basis = "" if report["period"]["kind"] == "week" else f", {t['weekly_goal_minutes']:g} min a week"
    verdict = "goal met" if round(t["minutes"], 9) >= goal else f"{goal - t['minutes']:.0f} min short"
    return f"{t['minutes']:.0f} of {goal:.0f} minutes ({ratio_pct(t['goal_progress'])} of the goal{basis}): {verdict}"


def module_label(module: dict[str, Any]) -> str:
    label = module["title"]
    return label if module["in_catalog"] else f"{label} (not in catalog)"


def change_line(change: dict[str, Any]) -> str:
    return f"{change['name']}: {change['from']:.1f} → {change['to']:.1f} ({signed(change['change'])})"


def award_lines(report: dict[str, Any]) -> list[str]:
    """Achievements earned in the period (with their local date), then the next milestones."""
    zone = dt.datetime.fromisoformat(report["as_of"]).tzinfo
    lines = [f"{a['name']} (+{a['points']} points, {dt.datetime.fromisoformat(a['earned_at']).astimezone(zone):%Y-%m-%d})"
             for a in report["achievements"]]
    lines += [f"Next milestone: {milestone_name(report, m)} ({ratio_pct(m['progress'])} of the way)"
              for m in report["milestones"]]
    return lines


def milestone_name(report: dict[str, Any], milestone: dict[str, Any]) -> str:
    """A skill band milestone (`skill:<id>:<level>`) reads as '<skill name> reaches <level>'."""
    kind, _, rest = milestone["id"].partition(":")
    skill, _, level = rest.rpartition(":")
    if kind == "skill" and skill:
        return f"{report['labels']['skills'].get(skill, skill)} reaches {level}"
    return milestone["name"]


def recommendation_target(report: dict[str, Any], rec: dict[str, Any]) -> str | None:
    """The name of what a recommendation is about (skill name, module title), or None."""
    labels = report["labels"]
    if rec["skill"]:
        return labels["skills"].get(rec["skill"], rec["skill"])
    if rec["module_id"]:
        return labels["modules"].get(rec["module_id"], rec["module_id"])
    return None


def recommendation_line(report: dict[str, Any], rec: dict[str, Any]) -> str:
    target = recommendation_target(report, rec)
    head = f"{target}: " if target else ""
    return f"{head}{rec['reason']} (~{rec['estimated_minutes']} min)"


def target_caption(progress: dict[str, Any]) -> str:
    """What the target line of the progress chart is."""
    start = progress["first_activity"]
    origin = f"the first activity ({start})" if start else "the first activity (none yet)"
    return f"target: 0 at {origin} to 100 on {progress['target_date']}"


def none_text(report: dict[str, Any]) -> str:
    return f"None this {kind_word(report)}."


def _s(n: int) -> str:
    return "" if n == 1 else "s"
