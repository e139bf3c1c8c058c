"""The PDF page furniture shared by reports and exports (fpdf2): paper, fonts, footer with
page numbers, headings, key-value blocks, tables and lists. Text stays real text, so it can
be selected, searched and extracted."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from fpdf import FPDF

from progress_cli.render.pdf_embedding import EmbeddedFonts
from progress_cli.render.pdf_fonts import FAMILY, FontChoice

PAPERS = {"a4": "A4", "letter": "Letter"}
MARGIN = 15.0  # mm
INK = (17, 24, 39)
MUTED = (107, 114, 128)
RULE = (209, 213, 219)
HEADER_FILL = (243, 244, 246)


class Document(EmbeddedFonts, FPDF):
    """An A4 or Letter portrait document with a footer `<label> · Page N of M`."""

    def __init__(self, *, paper: str, fonts: FontChoice, footer: str, title: str) -> None:
        if paper not in PAPERS:
            raise ValueError(f"unknown paper {paper!r}")
        super().__init__(orientation="P", unit="mm", format=PAPERS[paper])
        self.fonts_choice = fonts
        self.footer_label = footer
        self.use_fonts(fonts)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 5)
        self.set_title(title)
        self.set_author("progress-cli")
        self.set_creator("progress-cli")
        self.set_text_color(*INK)

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def text_of(self, value: Any) -> str:
        """Anything as drawable text (characters the font lacks replaced)."""
        return self.fonts_choice.drawable(str(value))

    def footer(self) -> None:
        self.set_y(-MARGIN + 2)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 4, self.text_of(f"{self.footer_label} · Page {self.page_no()} of {{nb}}"), align="C")
        self.set_text_color(*INK)

    # Blocks -----------------------------------------------------------------------------

    def title_block(self, title: str, name: str, detail: str) -> None:
        self.set_font(FAMILY, "B", 18)
        self.cell(0, 9, self.text_of(title), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "B", 14)
        self.cell(0, 8, self.text_of(name), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 9)
        self.set_text_color(*MUTED)
        self.multi_cell(0, 5, self.text_of(detail), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.ln(2)

    def heading(self, text: str, keep: float = 20.0) -> None:
        """A section heading; starts a new page when less than `keep` mm would follow it."""
        if self.get_y() + 8 + keep > self.page_break_trigger:
            self.add_page()
        self.ln(1.5)
        self.set_font(FAMILY, "B", 11.5)
        self.set_text_color(*INK)
        self.cell(0, 6.5, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        y = self.get_y()
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.ln(1.2)
        self.set_font(FAMILY, "", 9.5)

    def heading_pair(self, left: str, right: str, gap: float, keep: float = 20.0) -> None:
        """Two section headings side by side (for two charts on one row)."""
        if self.get_y() + 8 + keep > self.page_break_trigger:
            self.add_page()
        self.ln(1.5)
        half = (self.content_width - gap) / 2
        y = self.get_y()
        self.set_font(FAMILY, "B", 11.5)
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        for x, text in ((self.l_margin, left), (self.l_margin + half + gap, right)):
            self.set_xy(x, y)
            self.cell(half, 6.5, self.text_of(text))
            self.line(x, y + 6.5, x + half, y + 6.5)
        self.set_xy(self.l_margin, y + 7.7)
        self.set_font(FAMILY, "", 9.5)

    def two_lists(self, left: tuple[str, Sequence[str]], right: tuple[str, Sequence[str]], empty: str,
                  gap: float = 8.0) -> None:
        """Two headed bullet lists side by side (e.g. improvements and challenges)."""
        lines = max(len(left[1]), len(right[1]), 1)
        self.heading_pair(left[0], right[0], gap, keep=lines * 5)
        half = (self.content_width - gap) / 2
        top, bottom = self.get_y(), self.get_y()
        for x, (_, items) in ((self.l_margin, left), (self.l_margin + half + gap, right)):
            self.set_xy(x, top)
            if not items:
                self.set_text_color(*MUTED)
                self.multi_cell(half, 4.8, self.text_of(empty), align="L", new_x="LEFT", new_y="NEXT")
                self.set_text_color(*INK)
            for item in items:
                self.set_x(x)
                self.cell(5, 4.8, self.text_of("•"))
                self.multi_cell(half - 5, 4.8, self.text_of(item), align="L", new_x="LEFT", new_y="NEXT")
            bottom = max(bottom, self.get_y())
        self.set_xy(self.l_margin, bottom)

    def paragraph(self, text: str, size: float = 9.5, muted: bool = False) -> None:
        self.set_font(FAMILY, "", size)
        if muted:
            self.set_text_color(*MUTED)
        self.line_of_text(text, 5)
        self.set_text_color(*INK)

    def key_values(self, rows: Iterable[tuple[str, str]], key_width: float = 48.0) -> None:
        for key, value in rows:
            self.set_font(FAMILY, "B", 9.5)
            self.cell(key_width, 5.2, self.text_of(key))
            self.set_font(FAMILY, "", 9.5)
            self.line_of_text(value, 5.2)

    def bullets(self, lines: Sequence[str], marker: str = "•") -> None:
        self.set_font(FAMILY, "", 9.5)
        for line in lines:
            self.cell(6, 4.9, self.text_of(marker))
            self.line_of_text(line, 4.9)

    def line_of_text(self, text: str, height: float) -> None:
        """Text to the right margin, then a new line; wraps only when it must (a single cell
        is much cheaper for fpdf2 than its line breaker)."""
        text = self.text_of(text)
        room = self.w - self.r_margin - self.get_x()
        if self.get_string_width(text) <= room - 2 * self.c_margin:
            self.cell(room, height, text, new_x="LMARGIN", new_y="NEXT")
        else:
            self.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
              align: str, size: float = 8.5) -> None:
        """A ruled table; `align` has one letter (L/R/C) per column. Headers repeat after a page break."""
        scale = self.content_width / sum(widths)
        widths = [w * scale for w in widths]
        height = size * 0.62

        def header() -> None:
            self.set_font(FAMILY, "B", size)
            self.set_fill_color(*HEADER_FILL)
            for text, width, a in zip(headers, widths, align):
                self.cell(width, height, self._fit(self.text_of(text), width), align=a, fill=True)
            self.ln(height)

        header()
        self.set_font(FAMILY, "", size)
        self.set_draw_color(*RULE)
        self.set_line_width(0.1)
        for row in rows:
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
                header()
                self.set_font(FAMILY, "", size)
            for text, width, a in zip(row, widths, align):
                self.cell(width, height, self._fit(self.text_of(text), width), align=a)
            self.ln(height)
            y = self.get_y()
            self.line(self.l_margin, y, self.l_margin + sum(widths), y)

    def _fit(self, text: str, width: float) -> str:
        """Shorten a cell's text with an ellipsis so it stays inside its column."""
        if self.get_string_width(text) <= width - 1.5:
            return text
        while text and self.get_string_width(text + "…") > width - 1.5:
            text = text[:-1]
        return text + "…"
