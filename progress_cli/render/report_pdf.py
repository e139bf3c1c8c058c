"""A report as PDF (fpdf2): the sections on the first page(s), the four vector charts on a
page of their own. Returns the bytes and the warnings the caller should print."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterator

from progress_cli.render import report_text as text
from progress_cli.render.pdf_charts import Box, curve_chart, heatmap_chart, progress_chart, skills_chart
from progress_cli.render.pdf_doc import INK, Document
from progress_cli.render.pdf_fonts import FAMILY, LAYOUT_SYMBOLS, FontChoice, choose_fonts
from progress_cli.reports.palette import BLUE


@dataclass
class PdfResult:
    data: bytes
    warnings: list[str] = field(default_factory=list)


def render_report_pdf(report: dict[str, Any], *, paper: str = "a4", font: str | None = None) -> PdfResult:
    fonts = choose_fonts(all_text(report), font)
    name, warnings = name_for_pdf(report["learner"], fonts)
    pdf = Document(paper=paper, fonts=fonts, footer=f"{text.title(report)} · {name}", title=f"{text.title(report)}: {name}")
    # The report's moment, not the clock: the same report is the same bytes (a mailed copy
    # equals the file `--format pdf` writes).
    pdf.set_creation_date(dt.datetime.fromisoformat(report["as_of"]))
    s = text.SECTIONS
    pdf.add_page()
    pdf.title_block(text.title(report), name, f"{text.period_text(report)} · learner {report['learner']['id']} · "
                                              f"as of {text.as_of_text(report)}")
    pdf.heading(s["summary"])
    pdf.key_values(text.summary_rows(report))
    pdf.heading(s["time"])
    pdf.paragraph(text.time_line(report))
    _goal_bar(pdf, report["time"]["goal_progress"])
    pdf.heading(s["modules"])
    if report["modules"]:
        pdf.table(["Module", "Completion", "Change", "Tasks", "Attempts", "Avg score", "Time", "Readiness"],
                  [[text.module_label(m), text.pct(m["completion_rate"]), text.signed(m["completion_change"], 1, " pts"),
                    str(m["tasks_completed"]), str(m["attempts"]), text.num(m["average_score"]),
                    text.minutes(m["minutes"]), m["readiness"]] for m in report["modules"]],
                  widths=[40, 19, 19, 12, 16, 18, 15, 22], align="LRRRRRRL")
    else:
        pdf.paragraph(text.none_text(report), muted=True)
    _list_section(pdf, s["awards"], text.award_lines(report), report)
    pdf.two_lists((s["improvements"], [text.change_line(c) for c in report["improvements"]]),
                  (s["challenges"], [text.change_line(c) for c in report["challenges"]]), text.none_text(report))
    pdf.heading(s["recommendations"])
    if report["recommendations"]:
        for i, r in enumerate(report["recommendations"], 1):
            pdf.bullets([f"{r['priority']}: {text.recommendation_line(report, r)}"], marker=f"{i}.")
    else:
        pdf.paragraph("Nothing to recommend: keep going.", muted=True)
    pdf.heading(s["goals"])
    if report["next_goals"]:
        pdf.bullets([g["text"] for g in report["next_goals"]], marker="☐")
    else:
        pdf.paragraph("No goals: the catalog sets no weekly goal and nothing needs attention.", muted=True)
    draw_charts(pdf, report["charts"])
    return PdfResult(bytes(pdf.output()), warnings)


def draw_charts(pdf: Document, charts: dict[str, Any]) -> None:
    """The four charts on a new page: progress (full width), skills and heatmap side by side,
    learning curve (full width)."""
    s = text.SECTIONS
    pdf.add_page()
    width = pdf.content_width
    half = (width - 8) / 2
    left = pdf.l_margin
    pdf.heading(s["progress"], keep=60)
    y = pdf.get_y()
    progress_chart(pdf, Box(left, y, width, 62), charts["progress"])
    pdf.set_y(y + 64)
    pdf.heading_pair(s["skills"], s["heatmap"], gap=8, keep=70)
    y = pdf.get_y()
    skills_chart(pdf, Box(left, y + 1, half, 68), charts["skills"])
    heatmap_chart(pdf, Box(left + half + 8, y + 1, half, 50), charts["heatmap"])
    pdf.set_xy(left, y + 72)
    pdf.heading(s["curve"], keep=55)
    y = pdf.get_y()
    curve_chart(pdf, Box(left, y, width, 55), charts["curve"])
    pdf.set_y(y + 57)
    pdf.set_text_color(*INK)


def name_for_pdf(learner: dict[str, Any], fonts: FontChoice) -> tuple[str, list[str]]:
    """The learner's name, or their id when the font cannot draw the name, and the warning."""
    name = learner["name"] or learner["id"]
    missing = fonts.missing(name)
    if not missing:
        return name, []
    shown = "".join(missing[:8]) + ("…" if len(missing) > 8 else "")
    warning = (f"the PDF font ({fonts.name}) has no glyphs for {shown} in the name of learner {learner['id']!r}; "
               f"the PDF shows the id instead. Pass --font TTF with a font that has them "
               f"(for Chinese, Japanese or Korean: Noto Sans CJK, for example)")
    return learner["id"], [warning]


def _list_section(pdf: Document, title: str, lines: list[str], report: dict[str, Any]) -> None:
    pdf.heading(title)
    if lines:
        pdf.bullets(lines)
    else:
        pdf.paragraph(text.none_text(report), muted=True)


def _goal_bar(pdf: Document, progress: float | None) -> None:
    if progress is None:
        return
    width, height = pdf.content_width * 0.6, 4.0
    x, y = pdf.l_margin, pdf.get_y() + 1
    pdf.set_fill_color(229, 231, 235)
    pdf.rect(x, y, width, height, style="F")
    pdf.set_fill_color(*BLUE)
    pdf.rect(x, y, width * min(progress, 1.0), height, style="F")
    pdf.set_font(FAMILY, "", 8.5)
    pdf.text(x + width + 2, y + 3.2, f"{progress * 100:.0f}%")
    pdf.set_y(y + height + 2)


def all_text(value: Any) -> str:
    """Every string a document of `value` may draw (and the layout's own symbols), so its
    fonts are chosen once for all of them."""
    return "".join(_strings(value)) + LAYOUT_SYMBOLS


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("heatmap", "curve", "days"):  # numbers and dates only
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
