"""Read and small write queries over the store. Keyword-only, take a Connection, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, true, update

from progress_cli.catalog import Catalog
from progress_cli.json_output import to_json
from progress_cli.store import models
from progress_cli.store.derived import PEER_TASKS as PEERS
from progress_cli.store.dialect import driver_rows, insert_ignore
from progress_cli.store.models import CATALOG, EVENTS, IMPORTS, LEARNERS, MODULES, TASKS, VOIDS, stored_time


def catalog_text(conn: Connection) -> tuple[str, str] | None:
    """(TOML text, source path) of the loaded catalog, or None."""
    row = conn.execute(select(CATALOG.c.text, CATALOG.c.source)).first()
    return (row.text, row.source) if row else None


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


def learner_rows(conn: Connection, learner_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Every learner (or these) with name, event count and last activity (UTC text), by id: a
    scan of their events (derived_reads.learner_listing has the counts of the last recompute)."""
    live = EVENTS.c.voided == False  # noqa: E712
    stats = select(EVENTS.c.learner_id, func.count().label("events"), func.max(EVENTS.c.timestamp).label("last"))
    if learner_ids is not None:
        stats = stats.where(EVENTS.c.learner_id.in_(learner_ids))
    stats = stats.where(live).group_by(EVENTS.c.learner_id).subquery()
    query = (
        select(LEARNERS.c.learner_id, LEARNERS.c.name, stats.c.events, stats.c.last)
        .join(stats, stats.c.learner_id == LEARNERS.c.learner_id, isouter=True)
        .order_by(LEARNERS.c.learner_id)
    )
    if learner_ids is not None:
        query = query.where(LEARNERS.c.learner_id.in_(learner_ids))
    return [dict(r._mapping) for r in conn.execute(query)]


def learner_ids(conn: Connection) -> list[str]:
    return list(conn.execute(select(LEARNERS.c.learner_id).order_by(LEARNERS.c.learner_id)).scalars())


def all_learner_names(conn: Connection) -> dict[str, str | None]:
    """Every learner's name (None without one), by id."""
    return dict(driver_rows(conn, select(LEARNERS.c.learner_id, LEARNERS.c.name).order_by(LEARNERS.c.learner_id)))



def last_import_id(conn: Connection) -> int:
    """The id of the newest import (0 before any): recompute stores it beside each learner's
    figures, and a newer import of the learner's events makes the reads compute from the events."""
    return conn.execute(select(func.max(IMPORTS.c.id))).scalar() or 0


def table_counts(conn: Connection) -> dict[str, int]:
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in models.BASE_TABLES}


EVENT_FRAME_COLUMNS = ("event_id", "learner_id", "session_id", "module_id", "task_id", "skill", "type",
                       "timestamp", "score", "duration_s", "difficulty")


def live_events(conn: Connection, *, learner_ids: list[str] | None = None,
                between: tuple[str, str] | None = None) -> list[tuple]:
    """Non-voided events of some learners (ids, or an inclusive id range), columns EVENT_FRAME_COLUMNS.

    Rows stream (a server-side cursor on PostgreSQL), so the client holds only what it returns.
    """
    columns = [EVENTS.c[c] for c in EVENT_FRAME_COLUMNS]
    query = select(*columns).where(EVENTS.c.voided == False)  # noqa: E712
    if between is not None:
        query = query.where(EVENTS.c.learner_id.between(*between))
    if learner_ids is None:
        return driver_rows(conn, query)
    rows: list[tuple] = []
    for start in range(0, len(learner_ids), 500):
        rows.extend(driver_rows(conn, query.where(EVENTS.c.learner_id.in_(learner_ids[start:start + 500]))))
    return rows


def learner_names(conn: Connection, learner_ids: list[str]) -> dict[str, str | None]:
    found = {}
    for start in range(0, len(learner_ids), 500):
        chunk = learner_ids[start:start + 500]
        query = select(LEARNERS.c.learner_id, LEARNERS.c.name).where(LEARNERS.c.learner_id.in_(chunk))
        found.update((r.learner_id, r.name) for r in conn.execute(query))
    return found


def module_peers(conn: Connection, *, until: str) -> dict[str, dict[str, Any]]:
    """Per module, over every learner's live events up to `until` (stored UTC text):
    {"learners": learners with an event in it, "first": its first event's time (stored text),
    "tasks": {task_id: learners with an event on that task}}. The risk of DESIGN 5.7 weighs a
    learner's pace against these."""
    live = (EVENTS.c.voided == False) & (EVENTS.c.timestamp <= until)  # noqa: E712
    modules = select(EVENTS.c.module_id, func.count(EVENTS.c.learner_id.distinct()), func.min(EVENTS.c.timestamp)) \
        .where(live).group_by(EVENTS.c.module_id)
    out = {m: {"learners": n, "first": first, "tasks": {}} for m, n, first in conn.execute(modules)}
    tasks = select(EVENTS.c.module_id, EVENTS.c.task_id, func.count(EVENTS.c.learner_id.distinct())) \
        .where(live & EVENTS.c.task_id.is_not(None)).group_by(EVENTS.c.module_id, EVENTS.c.task_id)
    for module_id, task_id, n in conn.execute(tasks):
        out[module_id]["tasks"][task_id] = n
    return out


def stored_module_peers(conn: Connection, modules: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """`module_peers` as the last recompute of each learner left them (table `peer_tasks`),
    for some modules (None: all)."""
    which = PEERS.c.module_id.in_(modules) if modules is not None else true()
    # Two queries: the counts per task read the primary key's index alone; first_at, which is
    # not in it, only on the module rows (five times faster than one query on 10,000 learners).
    firsts = select(PEERS.c.module_id, func.count(), func.min(PEERS.c.first_at)) \
        .where(which & (PEERS.c.task_id == "")).group_by(PEERS.c.module_id)
    out = {m: {"learners": n, "first": first, "tasks": {}} for m, n, first in conn.execute(firsts)
           if first is not None}
    tasks = select(PEERS.c.module_id, PEERS.c.task_id, func.count()) \
        .where(which & (PEERS.c.task_id != "")).group_by(PEERS.c.module_id, PEERS.c.task_id)
    for module_id, task_id, n in conn.execute(tasks):
        if module_id in out:
            out[module_id]["tasks"][task_id] = n
    return out


def team_learner_ids(conn: Connection, team: str | None) -> list[str]:
    """The learners of a roster team (None: every learner), by id."""
    if team is None:
        return learner_ids(conn)
    query = select(LEARNERS.c.learner_id).where(LEARNERS.c.team == team).order_by(LEARNERS.c.learner_id)
    return list(conn.execute(query).scalars())
