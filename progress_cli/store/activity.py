"""The activity outbox: one append-only row per change, written in the change's transaction.

`progress watch` follows it by id, so a consumer sees every committed change once, in order,
and never one that was rolled back (DESIGN 1, the seed's real-time stream).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Column, Connection, Integer, String, Table, Text, func, insert, select

from progress_cli.json_output import to_json
from progress_cli.store.models import iso_time, metadata, required, stamp, stored_time


ACTIVITY = Table(
    "activity", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    required("type"),
    Column("learner_id", String, index=True),
    stamp("at"),
    required("payload", Text),
)


def record(conn: Connection, kind: str, learner_id: str | None = None, **payload: Any) -> None:
    """Append one activity row in the caller's transaction."""
    record_many(conn, [(kind, learner_id, payload)])


def record_many(conn: Connection, rows: list[tuple[str, str | None, dict[str, Any]]]) -> None:
    if not rows:
        return
    now = stored_time()
    conn.execute(insert(ACTIVITY), [
        {"type": kind, "learner_id": learner, "at": now, "payload": to_json(payload, indent=None)}
        for kind, learner, payload in rows
    ])


def after(conn: Connection, since: int, learner_id: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    """Rows with id > since, oldest first, as `{"id", "type", "learner_id", "at", **payload}`."""
    query = select(ACTIVITY).where(ACTIVITY.c.id > since).order_by(ACTIVITY.c.id).limit(limit)
    if learner_id is not None:
        query = query.where(ACTIVITY.c.learner_id == learner_id)
    return [{"id": r.id, "type": r.type, "learner_id": r.learner_id, "at": iso_time(r.at),
             **json.loads(r.payload)} for r in conn.execute(query)]


def last_id(conn: Connection) -> int:
    return conn.execute(select(func.max(ACTIVITY.c.id))).scalar() or 0
