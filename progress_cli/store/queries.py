"""Read and small write queries over the store. Keyword-only, take a Connection, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, column, delete, func, insert, inspect, select, table, update

from progress_cli.catalog import Catalog
from progress_cli.json_output import to_json
from progress_cli.store import models
from progress_cli.store.derived import PeerTask
from progress_cli.store.dialect import insert_ignore
from progress_cli.store.models import stored_time
from progress_cli.store.reads import (  # noqa: F401  (the reads live in reads.py; callers find them here too)
    EVENT_FRAME_COLUMNS, catalog_text, last_import_id, learner_ids, learner_names, learner_rows, live_events,
    module_peers, stored_module_peers,
)

CATALOG = models.CatalogRecord.__table__
MODULES = models.Module.__table__
TASKS = models.Task.__table__
EVENTS = models.Event.__table__
LEARNERS = models.Learner.__table__
IMPORTS = models.ImportRecord.__table__
VOIDS = models.Void.__table__
PEERS = PeerTask.__table__


def replace_catalog(conn: Connection, *, catalog: Catalog, text: str, source: str) -> None:
    """Store the catalog text and rebuild the catalog's modules and tasks."""
    conn.execute(delete(CATALOG))
    conn.execute(insert(CATALOG).values(id=1, source=source, text=text, loaded_at=stored_time()))
    conn.execute(update(MODULES).values(in_catalog=False, position=None, title=None,
                                        pass_mark=None, target_date=None))
    conn.execute(delete(TASKS))
    if catalog.modules:
        conn.execute(insert_ignore(conn, MODULES), [{"module_id": m.id} for m in catalog.modules])
    for position, module in enumerate(catalog.modules):
        conn.execute(update(MODULES).where(MODULES.c.module_id == module.id).values(
            title=module.title, pass_mark=module.pass_mark, in_catalog=True, position=position,
            target_date=module.target_date.isoformat() if module.target_date else None))
    tasks = [
        {"task_id": t.id, "module_id": m.id, "title": t.title, "difficulty": t.difficulty,
         "skills": to_json(list(t.skills), indent=None, ascii_only=True), "position": i}
        for m in catalog.modules for i, t in enumerate(m.tasks)
    ]
    if tasks:
        conn.execute(insert(TASKS), tasks)


def start_import(conn: Connection, *, path: str, sha256: str, fingerprint: str, fmt: str) -> int:
    result = conn.execute(insert(IMPORTS).values(path=path, file_sha256=sha256, fingerprint=fingerprint,
                                                 format=fmt, started_at=stored_time()))
    return result.inserted_primary_key[0]


def clean_import(conn: Connection, *, fingerprint: str):
    """An earlier committed import with this fingerprint that rejected nothing, or None."""
    query = (select(IMPORTS).where(IMPORTS.c.fingerprint == fingerprint, IMPORTS.c.rejected == 0,
                                   IMPORTS.c.finished_at.is_not(None)).limit(1))
    return conn.execute(query).first()


def finish_import(conn: Connection, *, import_id: int, counts: dict[str, int]) -> None:
    conn.execute(update(IMPORTS).where(IMPORTS.c.id == import_id).values(finished_at=stored_time(), **counts))


def has_voids(conn: Connection) -> bool:
    return conn.execute(select(VOIDS.c.event_id).limit(1)).first() is not None


def table_counts(conn: Connection) -> dict[str, int]:
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in models.BASE_TABLES}


def team_learner_ids(conn: Connection, team: str | None) -> list[str] | None:
    """The learners of a roster team (None: every learner), by id; None when the store has
    no roster (no `learners.team` column) to look in."""
    if team is None:
        return learner_ids(conn)
    if "team" not in {c["name"] for c in inspect(conn).get_columns(LEARNERS.name)}:
        return None
    learners = table(LEARNERS.name, column("learner_id"), column("team"))
    query = select(learners.c.learner_id).where(learners.c.team == team).order_by(learners.c.learner_id)
    return list(conn.execute(query).scalars())
