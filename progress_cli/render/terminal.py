"""Rich renderings for the terminal. Takes plain results; computes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.table import Table

from progress_cli.render.listing import Listing, Span

READINESS_STYLE = {"BEGINNER": "red", "DEVELOPING": "yellow", "PROFICIENT": "green", "ADVANCED": "bold cyan"}


def import_summary_table(files, *, dry_run: bool) -> Table:
    table = Table(title="Import (dry run)" if dry_run else "Import")
    table.add_column("file")
    table.add_column("format")
    for name in ("read", "inserted", "duplicates", "rejected", "skipped"):
        table.add_column(name, justify="right")
    for f in files:
        rejected = f"[red]{f.rejected}[/red]" if f.rejected else "0"
        table.add_row(Path(f.path).name, f.format, str(f.read), str(f.inserted), str(f.duplicates),
                      rejected, str(f.skipped))
    return table


def learners_table(rows: list[dict[str, Any]], tz: ZoneInfo) -> Listing:
    """Readiness is one coloured letter per module (B, D, P, A), in catalog order."""
    table = Listing(f"Learners ({len(rows)})",
                    ["learner", "name", "progress", "streak", "readiness", "last activity", "events", "risk"],
                    right={2, 3, 6, 7}, caption="readiness per module: B beginner · D developing · P proficient · "
                    "A advanced · risk of not finishing a module in time (! at risk)")
    for r in rows:
        readiness = [(level[0], READINESS_STYLE.get(level, "")) for level in r["readiness"].values()]
        table.add_row(
            r["learner_id"], r["name"] or "",
            "—" if r["total_progress"] is None else f"{r['total_progress']:.0f}%",
            "—" if r["streak_days"] is None else f"{r['streak_days']}d",
            readiness or "—", _local(r["last_activity"], tz), str(r["events"]), _risk(r),
        )
    return table


def _risk(row: dict[str, Any]) -> Span:
    """The risk of not finishing a started module in time (DESIGN 5.7); red when at risk."""
    if row.get("risk") is None:
        return ("—", "")
    return (f"{row['risk'] * 100:.0f}%!", "red") if row["at_risk"] else (f"{row['risk'] * 100:.0f}%", "")


def _local(iso: str | None, tz: ZoneInfo) -> str:
    if iso is None:
        return "—"
    return dt.datetime.fromisoformat(iso).astimezone(tz).strftime("%Y-%m-%d %H:%M")


UNLOCKS_SHOWN = 20


def print_unlocks(out, unlocks: list[dict[str, Any]]) -> None:
    """One line per new unlock ("🏆 alice unlocked 7-Day Streak"), the rest summarised."""
    for u in unlocks[:UNLOCKS_SHOWN]:
        out.print(f"🏆 {u['learner_id']} unlocked {u['name']}")
    if len(unlocks) > UNLOCKS_SHOWN:
        out.print(f"… and {len(unlocks) - UNLOCKS_SHOWN} more unlocks (see `progress achievements LEARNER`).")
