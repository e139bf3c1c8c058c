"""The team report as PDF (fpdf2): headline, at-risk learners, the learners' table (as many
pages as the team needs, its header repeated), certification pipeline, modules, most improved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from progress_cli.render import team_text as text
from progress_cli.render.pdf_doc import Document
from progress_cli.render.pdf_fast import fast_bullets, fast_table
from progress_cli.render.pdf_fonts import choose_fonts
from progress_cli.render.report_pdf import PdfResult, all_text
from progress_cli.render.report_text import as_of_text, period_text

_LEARNER_WIDTHS = [34, 9, 9, 14, 9, 9, 9, 19, 11, 15, 10]  # each header fits whole
_MODULE_WIDTHS = [30, 10, 11, 11, 10, 12, 10, 56]


def render_team_pdf(report: dict[str, Any], *, paper: str = "a4", font: str | None = None) -> PdfResult:
    fonts = choose_fonts(all_text(report), font)
    pdf = Document(paper=paper, fonts=fonts, footer=f"{text.title(report)} · {text.team_name(report)}",
                   title=f"{text.title(report)}: {text.team_name(report)}")
    # dated by the report's moment, not the clock, as learner reports: a mailed copy equals the file
    pdf.set_creation_date(dt.datetime.fromisoformat(report["as_of"]))
    s = text.SECTIONS
    pdf.add_page()
    pdf.title_block(text.title(report), text.team_name(report), f"{period_text(report)} · as of {as_of_text(report)}")
    pdf.heading(s["headline"])
    pdf.key_values(text.headline_rows(report), key_width=28)
    pdf.heading(s["at_risk"])
    if report["at_risk"]:
        fast_bullets(pdf, [text.at_risk_line(e, report) for e in report["at_risk"]])
    else:
        pdf.paragraph("Nobody: every learner is on track.", muted=True)
    pdf.heading(s["learners"])
    fast_table(pdf, text.LEARNER_COLUMNS, [text.learner_cells(r, report) for r in report["learners"]],
               widths=_LEARNER_WIDTHS, align="LRRRRRRLRLR")
    pdf.paragraph(text.LEARNER_LEGEND, size=7.5, muted=True)
    pdf.heading(s["certification"])
    if report["certification"]["name"] is None:
        pdf.paragraph("The catalog has no certification.", muted=True)
    else:
        pdf.key_values([(label, ", ".join(items) or "—") for label, items in text.pipeline_rows(report)], key_width=48)
    pdf.heading(s["modules"])
    pdf.table(text.MODULE_COLUMNS, [text.module_cells(m, hardest=1) for m in report["modules"]],
              widths=_MODULE_WIDTHS, align="LRRRRRRL", size=7.5)
    pdf.heading(s["improved"])
    if report["most_improved"]:
        pdf.bullets([text.improved_line(e) for e in report["most_improved"]])
    else:
        pdf.paragraph(text.none_text(report), muted=True)
    return PdfResult(bytes(pdf.output()), [])
