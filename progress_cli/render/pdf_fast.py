"""Long tables and lists for PDFs of thousands of rows (a team report), drawn with fpdf2's
`text()` at computed positions: about a quarter of the cost of a `cell()`, and no line
breaker (whose cost grows with the square of a line's length). Text stays real text."""

from __future__ import annotations

from typing import Sequence

from progress_cli.render.pdf_doc import HEADER_FILL, INK, RULE, Document
from progress_cli.render.pdf_fonts import FAMILY

_PAD = 0.8  # mm inside each cell edge


def fast_table(pdf: Document, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
               align: str, size: float = 7.5) -> None:
    """A ruled table like `Document.table` (header repeated on each page; a cell too long for
    its column ends with an ellipsis), for any number of rows."""
    scale = pdf.content_width / sum(widths)
    widths = [w * scale for w in widths]
    lefts = [pdf.l_margin + sum(widths[:i]) for i in range(len(widths))]
    height = size * 0.62
    right = pdf.l_margin + sum(widths)

    def header() -> float:
        y = pdf.get_y()
        pdf.set_fill_color(*HEADER_FILL)
        pdf.rect(pdf.l_margin, y, right - pdf.l_margin, height, style="F")
        pdf.set_font(FAMILY, "B", size)
        _row(pdf, headers, lefts, widths, align, y, height)
        pdf.set_font(FAMILY, "", size)
        return y + height

    y = header()
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.1)
    pdf.set_text_color(*INK)
    for row in rows:
        if y + height > pdf.page_break_trigger:
            pdf.add_page()
            y = header()
        _row(pdf, row, lefts, widths, align, y, height)
        y += height
        pdf.line(pdf.l_margin, y, right, y)
    pdf.set_xy(pdf.l_margin, y + 1)


def _row(pdf: Document, cells: Sequence[str], lefts: list[float], widths: list[float], align: str,
         y: float, height: float) -> None:
    baseline = y + height * 0.72
    for text, left, width, a in zip(cells, lefts, widths, align):
        text = pdf.text_of(text)
        room = width - 2 * _PAD
        w = pdf.get_string_width(text)
        if w > room:
            text = _cut(pdf, text, room)
            w = pdf.get_string_width(text)
        x = left + _PAD if a == "L" else left + width - _PAD - w
        pdf.text(x, baseline, text)


def _cut(pdf: Document, text: str, room: float) -> str:
    """The longest start of `text` that fits in `room` with an ellipsis (a binary search)."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if pdf.get_string_width(text[:mid] + "…") <= room:
            low = mid
        else:
            high = mid - 1
    return text[:low] + "…"


def fast_bullets(pdf: Document, lines: Sequence[str], size: float = 9.0, marker: str = "•") -> None:
    """A bulleted list whose items wrap at word boundaries (each word measured once)."""
    height = size * 0.53
    indent = 5.0
    room = pdf.content_width - indent
    widths: dict[str, float] = {}
    pdf.set_font(FAMILY, "", size)
    space = pdf.get_string_width(" ")
    y = pdf.get_y()
    for item in lines:
        for i, line in enumerate(_wrap(pdf, pdf.text_of(item), room, space, widths)):
            if y + height > pdf.page_break_trigger:
                pdf.add_page()
                pdf.set_font(FAMILY, "", size)
                y = pdf.get_y()
            if i == 0:
                pdf.text(pdf.l_margin, y + height * 0.75, marker)
            pdf.text(pdf.l_margin + indent, y + height * 0.75, line)
            y += height
    pdf.set_xy(pdf.l_margin, y)


def _wrap(pdf: Document, text: str, room: float, space: float, widths: dict[str, float]) -> list[str]:
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in text.split():
        if word not in widths:
            widths[word] = pdf.get_string_width(word)
        w = widths[word]
        if line and used + space + w > room:
            lines.append(" ".join(line))
            line, used = [], 0.0
        used += (space if line else 0.0) + w
        line.append(word)
    lines.append(" ".join(line))
    return lines
