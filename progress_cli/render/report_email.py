"""Reports as e-mails (DESIGN 10): the HTML report as the body, the Markdown report as its
plain-text alternative, and the PDF attached, each what `report --format html|md|pdf` writes
for the same report, byte for byte."""

from __future__ import annotations

import sys
from typing import Any, Callable

from progress_cli.mail.messages import Attachment, Content
from progress_cli.render import report_text, team_text
from progress_cli.render.report_formats import Rendered, render_report, render_team

FileName = Callable[[str | None, str, str], str]  # (learner or team, period label, extension) -> file name


class ReportEmail:
    """learner report -> Content, for `services.mailing.deliver_reports`. A plain object, so
    worker processes can run it (its warnings go to stderr there). `file_name` names the PDF
    as `report --format pdf` names its file (services.output_files.report_name)."""

    def __init__(self, *, file_name: FileName, template: str | None = None, paper: str = "a4",
                 font: str | None = None) -> None:
        self.file_name, self.template, self.paper, self.font = file_name, template, paper, font

    def __call__(self, report: dict[str, Any]) -> Content:
        subject = f"{report_text.title(report)}: {report_text.display_name(report)}"
        return self._content(report, render_report, report["learner"]["id"], subject)

    def _content(self, report: dict[str, Any], render: Callable[..., Rendered], who: str | None,
                 subject: str) -> Content:
        markdown = render(report, "md", template=self.template).data
        html = render(report, "html").data
        pdf = render(report, "pdf", paper=self.paper, font=self.font)
        for warning in pdf.warnings:
            print(f"Warning: {warning}", file=sys.stderr)
        name = self.file_name(who, report["period"]["label"], "pdf")
        return Content(subject=subject, text=markdown, html=html,
                       attachments=[Attachment(name, pdf.data, "application/pdf")])


class TeamReportEmail(ReportEmail):
    """team report -> Content, for `services.mailing.deliver_team_report`; `file_name` as
    services.output_files.team_report_name."""

    def __call__(self, report: dict[str, Any]) -> Content:
        subject = f"{team_text.title(report)}: {team_text.team_name(report)}"
        return self._content(report, render_team, report["team"], subject)
