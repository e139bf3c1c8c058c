"""`progress recompute`: rebuild the derived tables from events, a batch of learners at a time,
then the forecast calibration over every learner (services/calibration.py).

Memory follows the batch (and so the largest learner), not the store; the whole rebuild is
one transaction, so readers see either the old figures or the new ones.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, select

from progress_cli.analytics import analyze
from progress_cli.analytics.risk_inputs import module_risks, unfinished_modules
from progress_cli.catalog import Catalog
from progress_cli.services.calibration import calibrated_today, learner_samples, refresh_calibration, write_samples
from progress_cli.services.derived_rows import Stamp, derived_rows
from progress_cli.services.frames import events_frame
from progress_cli.services.risk import peer_rows, store_peers, stored_peers, stored_rows
from progress_cli.store import activity, queries, write_transaction
from progress_cli.store.achievements import EARNED
from progress_cli.store.derived import ACHIEVEMENT_PROGRESS, DERIVED_TABLES, MODULE_PROGRESS, MODULE_RISK, PEER_TASKS
from progress_cli.store.writes import bulk_insert, bulk_insert_ignore
from progress_cli.store.models import iso_time, stored_time

BATCH_LEARNERS = 500  # ~50k events at the benchmark's density: memory stays well under the target


@dataclass
class Recomputed:
    learners: int = 0
    unlocked: list[dict[str, Any]] = field(default_factory=list)  # new unlocks, by earned_at


def recompute_learners(
    engine: Engine,
    learner_ids: list[str] | None,
    *,
    catalog: Catalog,
    tz: ZoneInfo,
    as_of: dt.datetime | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> Recomputed:
    """Rebuild derived rows of these learners (None: everyone) and store new unlocks."""
    as_of = as_of or dt.datetime.now(dt.timezone.utc)
    done = Recomputed()
    with write_transaction(engine) as conn:
        everyone = learner_ids is None
        ids = queries.learner_ids(conn) if everyone else sorted(set(learner_ids))
        # A full rebuild weighs everyone against the events; an import's recompute of a few
        # learners reads the peers the last recomputes stored, once its own rows are in.
        peers = store_peers(conn, as_of, tz) if everyone and ids else None
        samples_before = None if everyone else learner_samples(conn, ids)
        stamp = Stamp(tz=tz.key, catalog_sha=catalog.fingerprint(), last_import=queries.last_import_id(conn))
        for start in range(0, len(ids), BATCH_LEARNERS):
            chunk = ids[start:start + BATCH_LEARNERS]
            span = (chunk[0], chunk[-1]) if everyone else None
            readiness_before = _readiness(conn, chunk, span)
            _delete_learners(conn, chunk, span)
            rows = queries.live_events(conn, between=span) if everyone else queries.live_events(conn, learner_ids=chunk)
            unlocked = _write_batch(conn, rows, catalog=catalog, tz=tz, as_of=as_of, peers=peers, stamp=stamp)
            _record_changes(conn, unlocked, readiness_before, _readiness(conn, chunk, span))
            done.unlocked += unlocked
            if on_batch:
                on_batch(len(chunk))
        # over every learner's samples (the others' did not change), unless it would write the same rows
        if everyone or learner_samples(conn, ids) != samples_before or not calibrated_today(conn, as_of, tz):
            refresh_calibration(conn, as_of, tz)
        activity.record(conn, "recompute", None, learners=len(ids))
    done.learners = len(ids)
    done.unlocked.sort(key=lambda u: (u["earned_at"], u["learner_id"], u["achievement_id"]))
    return done


def _which(table, learner_ids: list[str], span: tuple[str, str] | None):
    """A range condition for a full recompute's batch (no long IN list), else the ids."""
    return table.c.learner_id.between(*span) if span else table.c.learner_id.in_(learner_ids)


def _delete_learners(conn: Connection, learner_ids: list[str], span: tuple[str, str] | None) -> None:
    for table in DERIVED_TABLES:
        conn.execute(delete(table).where(_which(table, learner_ids, span)))


def _readiness(conn: Connection, learner_ids: list[str], span) -> dict[tuple[str, str], str]:
    table = MODULE_PROGRESS
    query = select(table.c.learner_id, table.c.module_id, table.c.readiness).where(_which(table, learner_ids, span))
    return {(r.learner_id, r.module_id): r.readiness for r in conn.execute(query)}


def _record_changes(conn: Connection, unlocked: list[dict], before: dict, after: dict) -> None:
    """Outbox rows for `watch`: each unlock and each readiness level that changed."""
    rows = [("achievement_unlocked", u["learner_id"],
             {"achievement_id": u["achievement_id"], "name": u["name"], "points": u["points"],
              "earned_at": iso_time(u["earned_at"])}) for u in unlocked]
    rows += [("readiness_changed", learner, {"module_id": module, "from": before.get((learner, module)), "to": level})
             for (learner, module), level in sorted(after.items())
             if before.get((learner, module), "BEGINNER") != level]  # a new learner starts as a beginner
    activity.record_many(conn, rows)


def _write_batch(conn: Connection, rows: list[tuple], *, catalog: Catalog, tz: ZoneInfo,
                 as_of: dt.datetime, peers: dict | None, stamp: Stamp) -> list[dict[str, Any]]:
    if not rows:
        return []
    result = analyze(events_frame(rows), catalog, tz.key, as_of)
    tables = derived_rows(result, catalog, as_of, stamp, Counter(row[1] for row in rows))  # row[1]: learner_id
    for table, table_rows in tables.items():
        bulk_insert(conn, table, table_rows)
    write_samples(conn, result)
    bulk_insert(conn, PEER_TASKS, peer_rows(result))
    if peers is None:
        peers = stored_peers(conn, tz, unfinished_modules(result))
    bulk_insert(conn, MODULE_RISK, stored_rows(module_risks(result, peers)))
    return _store_unlocks(conn, tables[ACHIEVEMENT_PROGRESS], catalog, as_of)


def _store_unlocks(conn: Connection, states: list[dict], catalog: Catalog, as_of: dt.datetime) -> list[dict[str, Any]]:
    """Insert achievements earned for the first time (`states`: achievement_progress rows);
    earlier unlocks are never touched."""

    earned = [s for s in states if s["earned_at"] is not None]
    if not earned:
        return []
    learners = sorted({s["learner_id"] for s in earned})
    stored = set()
    for start in range(0, len(learners), 500):
        chunk = learners[start:start + 500]
        query = select(EARNED.c.learner_id, EARNED.c.achievement_id).where(EARNED.c.learner_id.in_(chunk))
        stored.update((r.learner_id, r.achievement_id) for r in conn.execute(query))
    by_id = {a.id: a for a in catalog.achievements}
    noticed = stored_time(as_of)
    new = [
        {"learner_id": s["learner_id"], "achievement_id": s["achievement_id"], "points": by_id[s["achievement_id"]].points,
         "unlocked_at": noticed, "earned_at": s["earned_at"]}
        for s in earned if (s["learner_id"], s["achievement_id"]) not in stored
    ]
    bulk_insert_ignore(conn, EARNED, new)
    return [{**u, "name": by_id[u["achievement_id"]].name, "icon": by_id[u["achievement_id"]].icon} for u in new]



def unlock_json(unlock: dict[str, Any]) -> dict[str, Any]:
    """An unlock as `--json` prints it (DESIGN 8 habits: ISO dates, stable keys)."""
    return {"learner_id": unlock["learner_id"], "achievement_id": unlock["achievement_id"], "name": unlock["name"],
            "points": unlock["points"], "earned_at": iso_time(unlock["earned_at"])}
