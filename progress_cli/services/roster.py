"""`progress roster import|list` (DESIGN 10): who the learners are, their address, team and manager.

An import is one transaction: the good rows are upserted by learner_id, the bad ones go to
the rejects file (`<file>.rejects.jsonl`, as the event importer writes them) with their line
and reason. A dry run counts and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from progress_cli.ingest.record import RowRejected
from progress_cli.ingest.roster import read_roster
from progress_cli.services.importing import RejectsLog
from progress_cli.services.store_access import open_engine
from progress_cli.store import read_snapshot, write_transaction
from progress_cli.store.roster import apply_roster, roster


@dataclass
class RosterSummary:
    path: str
    read: int = 0
    added: int = 0
    updated: int = 0
    rejected: int = 0
    rejects_path: str | None = None
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "read": self.read, "added": self.added, "updated": self.updated,
                "rejected": self.rejected, "rejects_path": self.rejects_path, "dry_run": self.dry_run}

    def summary_line(self) -> str:
        verb = "would add" if self.dry_run else "added"
        line = (f"{self.path}: read {self.read}, {verb} {self.added}, "
                f"{'would update' if self.dry_run else 'updated'} {self.updated}, rejected {self.rejected}")
        return line + (f" (see {self.rejects_path})" if self.rejects_path else "")


def import_roster(db: str, path: Path, *, dry_run: bool = False, rejects: Path | None = None) -> RosterSummary:
    """Read the whole file first (a file that cannot be read changes nothing), then upsert."""
    summary = RosterSummary(path=str(path), dry_run=dry_run)
    log = RejectsLog(rejects or path.with_name(path.name + ".rejects.jsonl"), enabled=not dry_run)
    records: dict[str, dict[str, Any]] = {}
    try:
        for line, raw, record in read_roster(path):
            summary.read += 1
            if isinstance(record, RowRejected):
                summary.rejected += 1
                log.write(path, line, str(record), raw)
                continue
            records.setdefault(record["learner_id"], {}).update(record)  # a later row wins, column by column
    finally:
        log.close()
    summary.rejects_path = str(log.path) if log.written else None
    engine = open_engine(db)
    try:
        if dry_run:
            with read_snapshot(engine) as conn:
                known = {r["learner_id"] for r in roster(conn)}
            summary.added = sum(1 for lid in records if lid not in known)
            summary.updated = sum(1 for lid, r in records.items() if lid in known and len(r) > 1)
        else:
            with write_transaction(engine) as conn:
                summary.added, summary.updated = apply_roster(conn, list(records.values()))
    finally:
        engine.dispose()
    return summary


def list_roster(db: str, *, team: str | None = None) -> list[dict[str, Any]]:
    """`roster list --json`: [{"learner_id", "name", "email", "team", "manager_email"}] by learner_id."""
    engine = open_engine(db)
    try:
        with read_snapshot(engine) as conn:
            return roster(conn, team=team)
    finally:
        engine.dispose()
