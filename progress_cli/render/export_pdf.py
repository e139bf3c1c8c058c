"""The PDF export of one learner: overview, modules, skills, the four charts and every session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from progress_cli.render import report_text as text
from progress_cli.render.pdf_doc import Document
from progress_cli.render.pdf_fonts import choose_fonts
from progress_cli.render.report_pdf import PdfResult, all_text, draw_charts, name_for_pdf

TITLE = "Learner record"


def render_export_pdf(record: dict[str, Any], *, paper: str = "a4", font: str | None = None) -> PdfResult:
    status = record["status"]
    fonts = choose_fonts(all_text(record), font)
    name, warnings = name_for_pdf(record["learner"], fonts)
    pdf = Document(paper=paper, fonts=fonts, footer=f"{TITLE} · {name}", title=f"{TITLE}: {name}")
    pdf.add_page()
    as_of = dt.datetime.fromisoformat(record["as_of"]).strftime("%Y-%m-%d %H:%M %Z").strip()
    pdf.title_block(TITLE, name, f"learner {record['learner']['id']} · figures as of {as_of} · "
                                 f"{record['events']} events in {len(record['sessions'])} sessions")
    o, s = status["overall"], status["summary"]
    pdf.heading("Overview")
    pdf.key_values([
        ("Overall progress", text.pct(o["total_progress"])),
        ("Certificate readiness", text.pct(o["certificate_progress"])),
        ("Streak", f"{o['streak_days']} days"),
        ("Total practice", f"{(o['total_time_s'] or 0) / 3600:.1f} hours"),
        ("This week", f"{s['week_minutes']:.0f} of {s['weekly_goal_minutes']:g} minutes"),
        ("Strengths", ", ".join(_skill(record, x) for x in o["strengths"]) or text.DASH),
        ("Weaknesses", ", ".join(_skill(record, x) for x in o["weaknesses"]) or text.DASH),
    ])
    pdf.heading("Modules")
    pdf.table(["Module", "Done", "Completion", "Avg score", "Attempts", "Sessions", "Time", "Readiness"],
              [[record["module_titles"].get(m["module_id"], m["module_id"]), f"{m['completed_tasks']}/{m['tasks_total']}",
                text.pct(m["completion_rate"]), text.num(m["average_score"]), str(m["attempts"]), str(m["session_count"]),
                text.minutes((m["total_time_s"] or 0) / 60), m["readiness"]] for m in status["modules"]],
              widths=[40, 12, 20, 17, 16, 16, 17, 22], align="LRRRRRRL")
    pdf.heading("Skills")
    pdf.table(["Skill", "Level", "Current", "Mastery", "Consistency", "Attempts"],
              [[_skill(record, x["skill"]), x["level"] or text.DASH, text.num(x["current_level"]),
                text.num(x["mastery"], 0), text.num(x["consistency"], 2), str(x["attempts"])] for x in status["skills"]],
              widths=[52, 22, 18, 18, 20, 18], align="LLRRRR")
    pdf.heading("Achievements")
    if status["achievements"]:
        pdf.bullets([f"{a['name']} ({a['earned_at'][:10]}, +{a['points']} points)" for a in status["achievements"]])
    else:
        pdf.paragraph("None yet.", muted=True)
    draw_charts(pdf, record["charts"])
    pdf.add_page()
    pdf.heading("Sessions")
    if record["sessions"]:
        pdf.table(["Start (UTC)", "Module", "Minutes", "Events", "Attempts", "Avg score"],
                  [[x["start"][:16].replace("T", " "), record["module_titles"].get(x["module_id"], x["module_id"]),
                    f"{x['practice_s'] / 60:.0f}", str(x["events"]), str(x["attempts"]), text.num(x["average_score"])]
                   for x in record["sessions"]],
                  widths=[30, 50, 16, 16, 16, 18], align="LLRRRR", size=8)
    else:
        pdf.paragraph("No sessions.", muted=True)
    return PdfResult(bytes(pdf.output()), warnings)


def _skill(record: dict[str, Any], skill_id: str) -> str:
    return record["skill_names"].get(skill_id, skill_id)
