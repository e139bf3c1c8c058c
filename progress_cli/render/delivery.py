"""Terminal tables of the e-mail side: the roster, the delivery log, certificates to remind."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text


def _table(*columns: str, title: str | None = None) -> Table:
    """Columns that wrap rather than cut: an address or an id cut short is no use."""
    table = Table(title=Text(title) if title else None, box=None, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold", justify="right" if column in ("tries", "days left") else "left")
    return table


def roster_table(rows: list[dict[str, Any]]) -> Table:
    table = _table("learner", "name", "email", "team", "manager")
    for row in rows:
        table.add_row(*(Text(row[k] or "") for k in ("learner_id", "name", "email", "team", "manager_email")))
    return table


def log_table(rows: list[dict[str, Any]]) -> Table:
    table = _table("when (UTC)", "kind", "learner", "subject", "recipient", "status", "tries", "error")
    for row in rows:
        when = row["updated_at"][:19].replace("T", " ")
        table.add_row(*(Text(v or "") for v in (when, row["kind"], row["learner_id"], row["subject"],
                                                 row["recipient"], row["status"], str(row["attempts"]),
                                                 row["error"])))
    return table


def remind_table(rows: list[dict[str, Any]], within: int) -> Table:
    table = _table("code", "learner", "name", "valid until", "days left", "email", "reminded",
                   title=f"Certificates expiring within {within} days ({len(rows)})")
    for r in rows:
        table.add_row(*(Text(v) for v in (r["code"], r["learner_id"], r["learner_name"] or "",
                                          r["valid_until"][:10], str(r["days_left"]),
                                          r["email"] or "(no address)", "yes" if r["reminded"] else "no")))
    return table
