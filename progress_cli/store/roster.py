"""The roster's columns of `learners` (DESIGN 10): name, email, team, manager_email.

Keyword-only queries that take a Connection and never commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from progress_cli.store import models

LEARNERS = models.LEARNERS
ROSTER_COLUMNS = ("name", "email", "team", "manager_email")
_CHUNK = 500  # keeps IN lists under every backend's parameter limit


def apply_roster(conn: Connection, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Upsert roster rows `{"learner_id", column: value}`; returns (added, updated).

    A column absent from a row leaves the stored value; a None value clears it.
    """
    known = set()
    ids = [r["learner_id"] for r in rows]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        known.update(conn.execute(select(LEARNERS.c.learner_id).where(LEARNERS.c.learner_id.in_(chunk))).scalars())
    new = [{"learner_id": r["learner_id"], **{c: r.get(c) for c in ROSTER_COLUMNS}}
           for r in rows if r["learner_id"] not in known]
    if new:
        conn.execute(insert(LEARNERS), new)
    updated = 0
    for row in rows:
        values = {c: row[c] for c in ROSTER_COLUMNS if c in row}
        if row["learner_id"] in known and values:
            conn.execute(update(LEARNERS).where(LEARNERS.c.learner_id == bindparam("lid")).values(**values),
                         {"lid": row["learner_id"]})
            updated += 1
    return len(new), updated


def roster(conn: Connection, *, team: str | None = None) -> list[dict[str, Any]]:
    """Every learner (or one team's) with the roster's columns, by learner_id."""
    query = select(LEARNERS.c.learner_id, *(LEARNERS.c[c] for c in ROSTER_COLUMNS)).order_by(LEARNERS.c.learner_id)
    if team is not None:
        query = query.where(LEARNERS.c.team == team)
    return [dict(r._mapping) for r in conn.execute(query)]


def contacts(conn: Connection, learner_ids: list[str]) -> dict[str, dict[str, Any]]:
    """learner_id -> {"name", "email", "team", "manager_email"} for the ids that are stored."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(learner_ids), _CHUNK):
        chunk = learner_ids[start:start + _CHUNK]
        query = select(LEARNERS.c.learner_id, *(LEARNERS.c[c] for c in ROSTER_COLUMNS)).where(
            LEARNERS.c.learner_id.in_(chunk))
        for row in conn.execute(query):
            found[row.learner_id] = {c: row._mapping[c] for c in ROSTER_COLUMNS}
    return found
