"""Bulk writes of imported events through SQLAlchemy Core, a batch at a time.

The hot path of `progress import`: on SQLite, one executemany per batch of the INSERT ... ON
CONFLICT DO NOTHING that SQLAlchemy compiles for the backend (compiled once, so no per-row
parameter processing); on PostgreSQL, COPY through a staging table (store/dialect.py). Either
way, a look-up of the stored rows only for batches where some row was already there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, bindparam, select, update

from progress_cli.ingest.record import CORE_FIELDS, core
from progress_cli.store.dialect import copy_rows, insert_ignore, insert_ignore_for, upsert_non_null
from progress_cli.store.models import EVENTS, LEARNERS, MODULES, VOIDS

_LOOKUP_CHUNK = 500  # keeps IN lists under every backend's parameter limit


@dataclass
class BatchOutcome:
    inserted: int = 0
    duplicates: int = 0
    conflicts: list[int] = field(default_factory=list)  # indexes into the batch
    learners: set[str] = field(default_factory=set)


def write_events(conn: Connection, rows: list[dict[str, Any]]) -> BatchOutcome:
    """Store a batch of normalised events; report inserted, duplicate and conflicting rows.

    A row whose event_id is stored with other core fields is a conflict: it is not written
    and the stored row is left as it was.
    """
    outcome = BatchOutcome()
    if not rows:
        return outcome
    _upsert_learners(conn, rows)
    _insert_modules(conn, {r["module_id"] for r in rows})
    outcome.inserted = bulk_insert_ignore(conn, EVENTS, rows)
    if outcome.inserted == len(rows):
        outcome.learners = {r["learner_id"] for r in rows}
        return outcome
    stored = stored_core(conn, [r["event_id"] for r in rows])
    for index, row in enumerate(rows):
        if stored.get(row["event_id"]) != core(row):
            outcome.conflicts.append(index)
        elif outcome.inserted:
            # Some rows of this batch were new; which ones is not worth a second query,
            # so every learner of a non-conflicting row is recomputed.
            outcome.learners.add(row["learner_id"])
    outcome.duplicates = len(rows) - outcome.inserted - len(outcome.conflicts)
    return outcome


def bulk_insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    """Insert rows (dicts with every column of `table`), skipping stored keys; returns how many were new."""
    return _bulk(conn, table, rows, ignore=True)


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    """Insert rows (dicts with every column of `table`)."""
    return _bulk(conn, table, rows, ignore=False)


def _bulk(conn: Connection, table: Table, rows: list[dict[str, Any]], ignore: bool) -> int:
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        return copy_rows(conn, table, rows, on_conflict="DO NOTHING" if ignore else None)
    sql, order = _compiled_insert(conn.dialect, table, ignore)
    params = [order(r) for r in rows] if order else rows
    return conn.exec_driver_sql(sql, params).rowcount


@lru_cache(maxsize=32)
def _compiled_insert(dialect: Dialect, table: Table, ignore: bool):
    columns = [c.key for c in table.columns]
    stmt = insert_ignore_for(dialect, table) if ignore else table.insert()
    compiled = stmt.compile(dialect=dialect, column_keys=columns)
    if compiled.positional:
        return str(compiled), itemgetter(*compiled.positiontup)
    return str(compiled), None


def stored_core(conn: Connection, event_ids: list[str]) -> dict[str, tuple]:
    """event_id -> the stored core fields, for the ids that are stored."""
    found: dict[str, tuple] = {}
    unique = list(dict.fromkeys(event_ids))
    columns = [EVENTS.c[f] for f in CORE_FIELDS]
    for start in range(0, len(unique), _LOOKUP_CHUNK):
        chunk = unique[start:start + _LOOKUP_CHUNK]
        query = select(EVENTS.c.event_id, *columns).where(EVENTS.c.event_id.in_(chunk))
        found.update((row[0], tuple(row[1:])) for row in conn.execute(query))
    return found


def _upsert_learners(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """New learners, and the name of a known one when a row brings a new name; an address
    the source gives (an xAPI mbox) fills a learner's email only where the roster has none."""
    names: dict[str, str | None] = {}
    emails: dict[str, str] = {}
    for row in rows:
        if row["learner_name"] or row["learner_id"] not in names:
            names[row["learner_id"]] = row["learner_name"]
        if row.get("learner_email"):
            emails[row["learner_id"]] = row["learner_email"]
    params = [{"learner_id": k, "name": v, "email": None, "team": None, "manager_email": None}
              for k, v in names.items()]
    upsert_non_null(conn, LEARNERS, ["learner_id"], ["name"], params)
    if emails:
        fill_missing_emails(conn, emails)


def fill_missing_emails(conn: Connection, emails: dict[str, str]) -> None:
    """Set learner_id -> address where the stored email is empty (never over a roster's)."""
    missing = (LEARNERS.c.learner_id == bindparam("lid")) & LEARNERS.c.email.is_(None)
    conn.execute(update(LEARNERS).where(missing).values(email=bindparam("address")),
                 [{"lid": k, "address": v} for k, v in emails.items()])


def _insert_modules(conn: Connection, module_ids: set[str]) -> None:
    """Modules seen for the first time (one look-up, then only the new ones are written)."""
    known = set(conn.execute(select(MODULES.c.module_id).where(MODULES.c.module_id.in_(module_ids))).scalars())
    new = [{"module_id": m, "in_catalog": False} for m in sorted(module_ids - known)]
    if new:
        conn.execute(insert_ignore(conn, MODULES), new)


def write_voids(conn: Connection, voids: list[dict[str, Any]]) -> int:
    """Store xAPI voiding statements; returns how many were new."""
    return bulk_insert_ignore(conn, VOIDS, voids)


def apply_voids(conn: Connection) -> set[str]:
    """Mark every stored event that a voiding statement targets; returns the learners touched."""
    targets = select(VOIDS.c.target_event_id)
    pending = EVENTS.c.event_id.in_(targets) & (EVENTS.c.voided == False)  # noqa: E712
    learners = set(conn.execute(select(EVENTS.c.learner_id).where(pending).distinct()).scalars())
    if learners:
        conn.execute(update(EVENTS).where(pending).values(voided=True))
    return learners


def mark_voided(conn: Connection, event_ids: list[str]) -> None:
    """Mark events that their source already reports as voided (an LRS export's flag)."""
    if event_ids:
        conn.execute(update(EVENTS).where(EVENTS.c.event_id == bindparam("eid")).values(voided=True),
                     [{"eid": e} for e in event_ids])
