"""A learner's report as an e-mail (DESIGN 10): a plain-text body, an HTML alternative and the
PDF attached, the PDF byte for byte what `report --format pdf` writes."""

from __future__ import annotations

import sys
from typing import Any, Callable

from progress_cli.mail.messages import Attachment, Content, pre_html
from progress_cli.render import report_text as text
from progress_cli.render.report_formats import render_report

FileName = Callable[[str, str, str], str]  # (learner, period label, extension) -> file name


def report_html(report: dict[str, Any], markdown: str) -> str:
    """The HTML alternative. Until the HTML report lands, the Markdown report shown as it is;
    then this becomes `render_report(report, "html").data`."""
    return pre_html(markdown, f"{text.title(report)}: {text.display_name(report)}")


class ReportEmail:
    """report -> Content for `services.mailing.deliver_reports`; a plain object, so worker
    processes can run it (its warnings go to stderr there). `file_name` names the PDF as
    `report --format pdf` names its file (services.output_files.report_name)."""

    def __init__(self, *, file_name: FileName, template: str | None = None, paper: str = "a4",
                 font: str | None = None) -> None:
        self.file_name, self.template, self.paper, self.font = file_name, template, paper, font

    def __call__(self, report: dict[str, Any]) -> Content:
        markdown = render_report(report, "md", template=self.template).data
        pdf = render_report(report, "pdf", paper=self.paper, font=self.font)
        for warning in pdf.warnings:
            print(f"Warning: {warning}", file=sys.stderr)
        filename = self.file_name(report["learner"]["id"], report["period"]["label"], "pdf")
        subject = f"{text.title(report)}: {text.display_name(report)}"
        return Content(subject=subject, text=markdown, html=report_html(report, markdown),
                       attachments=[Attachment(filename, pdf.data, "application/pdf")])
