"""The team report for the terminal (Rich): one row a learner, as long as the team."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.cells import cell_len, set_cell_size
from rich.text import Text

from progress_cli.render import team_text as text
from progress_cli.render.report_text import as_of_text


def team_view(report: dict[str, Any]) -> Group:
    s = text.SECTIONS
    return Group(
        Panel(Text(text.subtitle(report), style="bold"), title=text.title(report),
              subtitle=f"as of {as_of_text(report)}", expand=True),
        _section(s["headline"], _pairs(text.headline_rows(report))),
        _section(s["at_risk"], _at_risk(report)),
        _section(s["learners"], _learners(report)),
        _section(s["certification"], _pipeline(report)),
        _section(s["modules"], _modules(report)),
        _section(s["improved"], _improved(report)),
    )


# Learner names and readiness changes give way first, so the figures always show in full.
_MAX_WIDTH = {0: 24, 7: 16, 9: 12}
_MIN_WIDTH = {1: 4, 2: 5, 3: 11, 4: 4, 5: 5, 6: 5, 8: 6, 9: 8, 10: 5}
_LEFT = (0, 7, 9)  # learner, readiness changes, certificate; the figures align right


def _section(title: str, body) -> Group:
    return Group(Rule(title, align="left", style="dim"), body)


def _pairs(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(label, value)
    return table


def _at_risk(report: dict[str, Any]) -> Group | Text:
    if not report["at_risk"]:
        return Text("Nobody: every learner is on track.", style="green")
    return Group(*(Text(f"• {text.at_risk_line(e, report)}", style="red") for e in report["at_risk"]))


def _learners(report: dict[str, Any]) -> Group:
    """One line a learner, in columns sized to their contents (capped), drawn as plain lines:
    a Rich Table measures every cell, which takes seconds for thousands of learners."""
    rows = [text.learner_cells(r, report) for r in report["learners"]]
    widths = [max([cell_len(h), _MIN_WIDTH.get(i, 0)] + [cell_len(r[i]) for r in rows])
              for i, h in enumerate(text.LEARNER_COLUMNS)]
    widths = [min(w, _MAX_WIDTH.get(i, w)) for i, w in enumerate(widths)]
    lines = [Text(_line(text.LEARNER_COLUMNS, widths), style="bold"), Text(" ".join("─" * w for w in widths), style="dim")]
    for row, cells in zip(report["learners"], rows):
        style = "red" if row["at_risk"] else ("dim" if not row["active"] else "")
        lines.append(Text(_line(cells, widths), style=style, no_wrap=True, overflow="ellipsis"))
    lines.append(Text(text.LEARNER_LEGEND, style="dim"))
    return Group(*lines)


def _line(cells, widths: list[int]) -> str:
    out = []
    for i, (cell, width) in enumerate(zip(cells, widths)):
        if cell_len(cell) > width:
            cell = set_cell_size(cell, width - 1) + "…"
        pad = " " * (width - cell_len(cell))
        out.append(cell + pad if i in _LEFT else pad + cell)
    return " ".join(out).rstrip()


def _pipeline(report: dict[str, Any]) -> Table:
    if report["certification"]["name"] is None:
        return _pairs([("", "The catalog has no certification.")])
    return _pairs([(label, ", ".join(items) or "—") for label, items in text.pipeline_rows(report)])


def _modules(report: dict[str, Any]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for i, name in enumerate(text.MODULE_COLUMNS):
        table.add_column(name, justify="left" if i in (0, 7) else "right", overflow="fold", min_width=4)
    for m in report["modules"]:
        table.add_row(*text.module_cells(m, hardest=1))
    return table


def _improved(report: dict[str, Any]) -> Text:
    if not report["most_improved"]:
        return Text(text.none_text(report), style="dim")
    return Text("\n".join(f"• {text.improved_line(e)}" for e in report["most_improved"]), style="green")
