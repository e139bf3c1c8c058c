"""Terminal tables of the e-mail side: the roster, the delivery log, certificates to remind."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text


def roster_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("learner", "name", "email", "team", "manager", box=None, header_style="bold")
    for row in rows:
        table.add_row(*(Text(row[k] or "") for k in ("learner_id", "name", "email", "team", "manager_email")))
    return table


def log_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("when (UTC)", "kind", "learner", "subject", "recipient", "status", "tries", "error", box=None,
                  header_style="bold")
    for row in rows:
        when = row["updated_at"][:19].replace("T", " ")
        table.add_row(*(Text(v or "") for v in (when, row["kind"], row["learner_id"], row["subject"],
                                                 row["recipient"], row["status"], str(row["attempts"]),
                                                 row["error"])))
    return table


def remind_table(rows: list[dict[str, Any]], within: int) -> Table:
    table = Table(title=Text(f"Certificates expiring within {within} days ({len(rows)})"), box=None,
                  header_style="bold")
    for column in ("code", "learner", "name", "valid until", "days left", "email", "reminded"):
        table.add_column(column, justify="right" if column == "days left" else "left")
    for r in rows:
        table.add_row(*(Text(v) for v in (r["code"], r["learner_id"], r["learner_name"] or "",
                                          r["valid_until"][:10], str(r["days_left"]),
                                          r["email"] or "(no address)", "yes" if r["reminded"] else "no")))
    return table
