"""Wording and number formats of the team report, shared by every medium (terminal,
Markdown, PDF, HTML), so they all say the same thing the same way. Display only."""

from __future__ import annotations

from typing import Any

from progress_cli.render.report_text import DASH, num, pct, period_text, signed

NO_ACTIVITY = "no activity"
SECTIONS = {
    "headline": "Headline",
    "at_risk": "Learners at risk",
    "learners": "Learners",
    "certification": "Certification pipeline",
    "modules": "Modules",
    "improved": "Most improved",
}
LEARNER_COLUMNS = ("Learner", "Done", "+/-", "Min/goal", "Days", "Score", "+/-", "Readiness", "Streak",
                   "Certificate", "Risk")
LEARNER_LABELS = ("Learner", "Progress", "Progress change", "Minutes / goal", "Active days", "Average score",
                  "Score change", "Readiness changes", "Streak", "Certificate", "Risk")  # the columns in full
LEARNER_LEGEND = ("Done: overall progress and its change in the period (points). Min/goal: practice minutes "
                  "against the goal (✓ met). Days: active days. Score: the period's average and its change. "
                  "Readiness changes: B beginner, D developing, P proficient, A advanced. Risk: of not "
                  "finishing a module in time; ! at risk (50% or more).")
MODULE_COLUMNS = ("Module", "Started", "Not started", "Below 50%", "50-99%", "Completed", "Median",
                  "Hardest tasks (first try passed)")
LEVEL_LETTER = {"BEGINNER": "B", "DEVELOPING": "D", "PROFICIENT": "P", "ADVANCED": "A"}


def word(report: dict[str, Any]) -> str:
    return "week" if report["period"]["kind"] == "week" else "month"


def title(report: dict[str, Any]) -> str:
    p = report["period"]
    return f"{'Weekly' if p['kind'] == 'week' else 'Monthly'} team report {p['label']}"


def team_name(report: dict[str, Any]) -> str:
    return f"Team {report['team']}" if report["team"] else "Every learner"


def subtitle(report: dict[str, Any]) -> str:
    return f"{team_name(report)} · {period_text(report)}"


def change(value: float | None, digits: int = 0) -> str:
    """'+2', '-3.5', or 'no change' (a change that rounds to zero)."""
    text = signed(value, digits)
    return "no change" if text.lstrip("+-").strip("0.") == "" and value is not None else text


def headline_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) lines: learners, active, practice, goal, at risk, each against the previous period."""
    h, c = report["headline"], report["headline"]["change"]
    vs = f"vs the previous {word(report)}"
    rows = [
        ("Learners", f"{h['learners']}"),
        ("Active", f"{h['active']} of {h['learners']} ({change(c['active'])} {vs})"),
        ("Practice", f"{h['practice_minutes']:.0f} min in total ({change(c['practice_minutes'])}), "
                     f"{num(h['minutes_per_learner'], 0)} min per learner ({change(c['minutes_per_learner'])})"),
    ]
    if h["goal_met"] is not None:
        rows.append(("Goal met", f"{h['goal_met']} of {h['learners']} practised {h['goal_minutes']:.0f} min or more "
                                 f"({change(c['goal_met'])} {vs})"))
    rows.append(("At risk", f"{h['at_risk']} of {h['learners']} (risk of not finishing a module in time >= 50%)"))
    return rows


def learner_label(row: dict[str, Any]) -> str:
    return f"{row['name']} ({row['learner_id']})" if row["name"] else row["learner_id"]


def minutes_cell(row: dict[str, Any], report: dict[str, Any]) -> str:
    if not row["active"]:
        return NO_ACTIVITY
    goal = report["headline"]["goal_minutes"]
    mark = "✓" if row["goal_met"] else ""
    return f"{row['week_minutes']:.0f}/{goal:.0f}{mark}" if goal else f"{row['week_minutes']:.0f}"


def readiness_cell(row: dict[str, Any]) -> str:
    return ", ".join(f"{c['module_id']} {LEVEL_LETTER.get(c['from'], '?')}→{LEVEL_LETTER.get(c['to'], '?')}"
                     for c in row["readiness_changes"]) or DASH


def certificate_cell(row: dict[str, Any]) -> str:
    cert = row["certificate"]
    if cert is None:
        return DASH
    if cert["status"] == "VALID":
        return f"valid {cert['days_left']}d"
    if cert["status"] in ("EXPIRED", "REVOKED"):
        text = cert["status"].lower()
        return f"{text}; eligible" if cert["eligible"] else text
    return "eligible" if cert["eligible"] else DASH


def risk_cell(row: dict[str, Any]) -> str:
    if row["risk"] is None:
        return DASH
    return f"{row['risk'] * 100:.0f}%" + ("!" if row["at_risk"] else "")


def learner_cells(row: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """One table row, in LEARNER_COLUMNS order."""
    active = row["active"]
    return [
        learner_label(row),
        pct(row["total_progress"]),
        signed(row["progress_change"], 1),
        minutes_cell(row, report),
        str(row["active_days"]) if active else DASH,
        num(row["average_score"]),
        signed(row["score_change"]),
        readiness_cell(row),
        f"{row['streak_days']}d",
        certificate_cell(row),
        risk_cell(row),
    ]


def at_risk_line(entry: dict[str, Any], report: dict[str, Any]) -> str:
    """'Name (id) 93% in Module: reason; reason (also Module 60%)'."""
    reasons = "; ".join(entry["reasons"]) or "no single input stands out"
    others = ", ".join(f"{module_title(report, m['module_id'])} {m['risk'] * 100:.0f}%" for m in entry["other_modules"])
    also = f" (also {others})" if others else ""
    return f"{learner_label(entry)} {entry['risk'] * 100:.0f}% in {module_title(report, entry['module_id'])}: {reasons}{also}"


def module_title(report: dict[str, Any], module_id: str) -> str:
    for m in report["modules"]:
        if m["module_id"] == module_id:
            return m["title"]
    return module_id


def pipeline_rows(report: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(label, entries) of the four buckets of the certification pipeline."""
    c = report["certification"]
    return [
        ("Eligible, not yet issued", [learner_label(e) for e in c["eligible"]]),
        (f"Issued this {word(report)}", [f"{learner_label(e)} ({e['code']})" for e in c["issued"]]),
        ("Expiring within 60 days", [f"{learner_label(e)} ({e['valid_until'][:10]}, {e['days_left']} days)"
                                     for e in c["expiring"]]),
        ("Revoked", [f"{learner_label(e)} ({e['code']})" for e in c["revoked"]]),
    ]


def hardest_text(module: dict[str, Any], limit: int | None = None) -> str:
    """'Quiz 3 17% of 12; ...': the tasks whose first attempt passes least often."""
    return "; ".join(f"{t['title']} {t['pass_rate'] * 100:.0f}% of {t['first_attempts']}"
                     for t in module["hardest_tasks"][:limit]) or DASH


def module_cells(module: dict[str, Any], hardest: int | None = None) -> list[str]:
    """One modules-table row, in MODULE_COLUMNS order (`hardest`: how many tasks to name)."""
    label = module["title"] if module["in_catalog"] else f"{module['title']} (not in catalog)"
    return [label, str(module["started"]), str(module["not_started"]), str(module["below_half"]),
            str(module["half_or_more"]), str(module["completed"]), pct(module["median_completion"]),
            hardest_text(module, hardest)]


def improved_line(entry: dict[str, Any]) -> str:
    score = "" if entry["score_change"] is None else f", score {signed(entry['score_change'])}"
    return f"{learner_label(entry)}: {signed(entry['progress_change'], 1, ' pts')} to {pct(entry['total_progress'])}{score}"


def none_text(report: dict[str, Any]) -> str:
    return f"None this {word(report)}."
