"""`progress recompute`: rebuild the derived tables from events, a batch of learners at a time,
then the risks (once the peers are known) and the forecast calibration over every learner
(services/calibration.py).

Each batch's rows come from `services.derive`, in this process or, with `jobs` > 1, in worker
processes that read their learners' events through their own connections; this process
writes every row, in one transaction, as the store's one writer. Memory follows the batches
in flight, not the store; readers see either the old figures or the new ones.

What is global in a recompute: the peers a learner's risk is weighed against (every learner
of the store), the calibration (every learner's forecast samples) and the outbox (its ids
must commit in order for `watch`). A recompute of every learner counts the peers from the
batches it derives; a recompute of some learners reads the peers the last recomputes stored.
A shard (`Shard`) derives only its share of the learners: it counts the peers from every
learner's events, so it writes the same risks, and writes its learners' rows in a transaction
that other shards' may run alongside (on PostgreSQL; every other writer still waits), then the
outbox and the calibration, over every learner's samples committed by then, in a short one
of its own. So the last shard to finish leaves the calibration a single recompute leaves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, select

from progress_cli.analytics.risk_inputs import complete_risks, risks_by_learner
from progress_cli.catalog import Catalog
from progress_cli.services import recompute_jobs
from progress_cli.services.calibration import calibrated_today, learner_samples, refresh_calibration
from progress_cli.services.derive import ROW_TABLES, Derived
from progress_cli.services.derived_rows import Stamp
from progress_cli.services.risk import as_peers, merge_peers, stored_peers, stored_rows
from progress_cli.services.shards import Shard
from progress_cli.store import activity, queries, write_transaction
from progress_cli.store.achievements import EARNED
from progress_cli.store.derived import DERIVED_TABLES, MODULE_PROGRESS, MODULE_RISK
from progress_cli.store.models import iso_time, stored_time
from progress_cli.store.writes import bulk_insert, bulk_insert_ignore, bulk_insert_rows

BATCH_LEARNERS = 500  # ~50k events at the benchmark's density: memory stays well under the target

Advance = Callable[[int], None]


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
    jobs: int = 1,
    shard: Shard | None = None,
    batch_size: int = BATCH_LEARNERS,
    on_start: Callable[[int], Advance | None] | None = None,
) -> Recomputed:
    """Rebuild derived rows of these learners (None: everyone, or the shard's share of them)
    and store new unlocks. `jobs` > 1 derives the batches on that many processes;
    `on_start(learners)` is called once the work is under way and may return `advance(n)`."""
    outbox: list[tuple] = []
    with write_transaction(engine, shared=shard is not None) as conn:
        stamp = Stamp(tz=tz.key, catalog_sha=catalog.fingerprint(), last_import=queries.last_import_id(conn))
        run = _Run(catalog, tz, as_of or dt.datetime.now(dt.timezone.utc), stamp, jobs, batch_size, on_start)
        ids = queries.learner_ids(conn) if learner_ids is None else sorted(set(learner_ids))
        if shard is not None:
            ids = [i for i in ids if shard.takes(i)]
        # A shard writes its learners alongside the other shards; what every learner shares
        # waits for a moment alone (the module docstring).
        record = outbox.extend if shard is not None else (lambda rows: activity.record_many(conn, rows))
        samples_before = None if learner_ids is None else learner_samples(conn, ids)
        done = _rebuild(engine, conn, ids, run, everyone=learner_ids is None, shard=shard is not None,
                        record=record)
        # A recompute of some learners skips refreshing the calibration when it would write
        # the same rows: their samples unchanged, and refreshed on this day already.
        calibrate = samples_before is None or learner_samples(conn, ids) != samples_before or \
            not calibrated_today(conn, run.as_of, run.tz)
        if shard is None:
            _finish(conn, [], run, len(ids), calibrate=calibrate)
    if shard is not None:
        with write_transaction(engine) as conn:
            _finish(conn, outbox, run, len(ids))
    done.unlocked.sort(key=lambda u: (u["earned_at"], u["learner_id"], u["achievement_id"]))
    return done


@dataclass(frozen=True)
class _Run:
    catalog: Catalog
    tz: ZoneInfo
    as_of: dt.datetime
    stamp: Stamp
    jobs: int
    batch_size: int
    on_start: Callable[[int], Advance | None] | None


def _rebuild(engine: Engine, conn: Connection, ids: list[str], run: _Run, *, everyone: bool, shard: bool,
             record: Callable[[list[tuple]], None]) -> Recomputed:
    """Replace the derived rows of `ids`, batch by batch, then their risks; `record` takes the
    outbox rows of the changes."""
    done = Recomputed(learners=len(ids))
    # A full rebuild reads its batches by id range; a shard's and a named list's learners
    # are not contiguous.
    by_range = everyone and not shard
    batches = [ids[i:i + run.batch_size] for i in range(0, len(ids), run.batch_size)]
    if by_range:  # every derived row goes: one DELETE per table, not one per batch
        readiness_before = _readiness(conn, None)
        for table in DERIVED_TABLES:
            conn.execute(delete(table))
    peers_found: dict[str, dict] = {}
    pending = []
    with recompute_jobs.derived(engine, conn, [(b[0], b[-1]) if by_range else b for b in batches],
                                catalog=run.catalog, tz=run.tz, as_of=run.as_of, stamp=run.stamp, jobs=run.jobs,
                                shard_peers=shard) as work:
        advance = run.on_start(len(ids)) if run.on_start else None
        for batch, derived in zip(batches, work.results):
            if not by_range:
                readiness_before = _readiness(conn, batch)
                for table in DERIVED_TABLES:
                    conn.execute(delete(table).where(table.c.learner_id.in_(batch)))
            unlocked = _write_batch(conn, derived, run)
            record(_changes(unlocked, readiness_before, derived.readiness))
            if everyone:
                pending += derived.risks
                merge_peers(peers_found, derived.peers)
            else:  # as the last recomputes left the peers, these learners' new rows included
                peers = stored_peers(conn, run.tz, derived.modules)
                _write_risks(conn, complete_risks(derived.risks, peers, run.catalog))
            done.unlocked += unlocked
            if advance:
                advance(len(batch))
        if everyone:
            found = work.peers() if shard else peers_found
            _write_risks(conn, complete_risks(pending, as_peers(found, run.tz), run.catalog))
    return done


def _finish(conn: Connection, outbox: list[tuple], run: _Run, learners: int, *, calibrate: bool = True) -> None:
    """What every learner shares: the calibration over every learner's samples in the store
    (the others' did not change), and the outbox (its ids in commit order for `watch`)."""
    activity.record_many(conn, outbox)
    if calibrate:
        refresh_calibration(conn, run.as_of, run.tz)
    activity.record(conn, "recompute", None, learners=learners)


def _write_batch(conn: Connection, derived: Derived, run: _Run) -> list[dict[str, Any]]:
    for table in ROW_TABLES:
        bulk_insert_rows(conn, table, derived.rows.get(table.name, []))
    return _store_unlocks(conn, derived.earned, run.catalog, run.as_of)


def _write_risks(conn: Connection, inputs) -> None:
    bulk_insert(conn, MODULE_RISK, stored_rows(risks_by_learner(inputs)))


def _readiness(conn: Connection, learner_ids: list[str] | None) -> dict[tuple[str, str], str]:
    """The stored readiness of these learners' modules (None: everyone's)."""
    table = MODULE_PROGRESS
    query = select(table.c.learner_id, table.c.module_id, table.c.readiness)
    if learner_ids is not None:
        query = query.where(table.c.learner_id.in_(learner_ids))
    return {(r.learner_id, r.module_id): r.readiness for r in conn.execute(query)}


def _changes(unlocked: list[dict], before: dict, after: dict) -> list[tuple[str, str, dict]]:
    """Outbox rows for `watch`: each unlock and each readiness level that changed."""
    rows = [("achievement_unlocked", u["learner_id"],
             {"achievement_id": u["achievement_id"], "name": u["name"], "points": u["points"],
              "earned_at": iso_time(u["earned_at"])}) for u in unlocked]
    rows += [("readiness_changed", learner, {"module_id": module, "from": before.get((learner, module)), "to": level})
             for (learner, module), level in sorted(after.items())
             if before.get((learner, module), "BEGINNER") != level]  # a new learner starts as a beginner
    return rows


def _store_unlocks(conn: Connection, earned: list[tuple[str, str, str]], catalog: Catalog,
                   as_of: dt.datetime) -> list[dict[str, Any]]:
    """Insert achievements earned for the first time; earlier unlocks are never touched."""
    if not earned:
        return []
    learners = sorted({learner for learner, _, _ in earned})
    stored = set()
    for start in range(0, len(learners), 500):
        chunk = learners[start:start + 500]
        query = select(EARNED.c.learner_id, EARNED.c.achievement_id).where(EARNED.c.learner_id.in_(chunk))
        stored.update((r.learner_id, r.achievement_id) for r in conn.execute(query))
    by_id = {a.id: a for a in catalog.achievements}
    noticed = stored_time(as_of)
    new = [{"learner_id": learner, "achievement_id": aid, "points": by_id[aid].points, "unlocked_at": noticed,
            "earned_at": at}
           for learner, aid, at in earned if (learner, aid) not in stored]
    bulk_insert_ignore(conn, EARNED, new)
    return [{**u, "name": by_id[u["achievement_id"]].name, "icon": by_id[u["achievement_id"]].icon} for u in new]


def unlock_json(unlock: dict[str, Any]) -> dict[str, Any]:
    """An unlock as `--json` prints it (DESIGN 8 habits: ISO dates, stable keys)."""
    return {"learner_id": unlock["learner_id"], "achievement_id": unlock["achievement_id"], "name": unlock["name"],
            "points": unlock["points"], "earned_at": iso_time(unlock["earned_at"])}
