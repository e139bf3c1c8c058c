"""`progress recompute`: rebuild the derived tables from events, a batch of learners at a time.

Memory follows the batch (and so the largest learner), not the store; the whole rebuild is
one transaction, so readers see either the old figures or the new ones.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete

from progress_cli.catalog import Catalog
from progress_cli.store import queries, write_transaction
from progress_cli.store.derived import DERIVED_TABLES, DailyActivity, LearnerProgress, ModuleProgress, SkillProgress
from progress_cli.store.writes import bulk_insert

BATCH_LEARNERS = 500  # ~50k events at the benchmark's density: memory stays well under the target


def recompute_learners(
    engine: Engine,
    learner_ids: list[str] | None,
    *,
    catalog: Catalog,
    tz: ZoneInfo,
    as_of: dt.datetime | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Rebuild derived rows of these learners (None: everyone); returns how many learners."""
    as_of = as_of or dt.datetime.now(dt.timezone.utc)
    with write_transaction(engine) as conn:
        everyone = learner_ids is None
        ids = queries.learner_ids(conn) if everyone else sorted(set(learner_ids))
        if everyone:
            for table in DERIVED_TABLES:
                conn.execute(delete(table))
        for start in range(0, len(ids), BATCH_LEARNERS):
            chunk = ids[start:start + BATCH_LEARNERS]
            if everyone:
                rows = queries.live_events(conn, between=(chunk[0], chunk[-1]))
            else:
                _delete_learners(conn, chunk)
                rows = queries.live_events(conn, learner_ids=chunk)
            _write_batch(conn, rows, catalog=catalog, tz=tz, as_of=as_of)
            if on_batch:
                on_batch(len(chunk))
    return len(ids)


def _delete_learners(conn: Connection, learner_ids: list[str]) -> None:
    for table in DERIVED_TABLES:
        conn.execute(delete(table).where(table.c.learner_id.in_(learner_ids)))


def _write_batch(conn: Connection, rows: list[tuple], *, catalog: Catalog, tz: ZoneInfo, as_of: dt.datetime) -> None:
    from progress_cli.analytics import analyze, next_milestone
    from progress_cli.services.frames import events_frame, records

    if not rows:
        return
    result = analyze(events_frame(rows), catalog, tz.key, as_of)
    overall = result.overall.copy()
    overall["computed_as_of"] = as_of.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    overall["last_active_day"] = result.streaks["last_active_day"].to_numpy()
    overall["predicted_completion_date"] = None
    bulk_insert(conn, LearnerProgress.__table__, records(
        overall, [c.key for c in LearnerProgress.__table__.columns],
        dates=("last_active_day",), json_columns=("strengths", "weaknesses")))
    modules = result.modules
    bulk_insert(conn, ModuleProgress.__table__, records(modules, [c.key for c in ModuleProgress.__table__.columns]))
    skills = result.skills.copy()
    skills["next_milestone"] = [
        None if m is None else json.dumps(m)
        for m in map(next_milestone, skills["next_level"], skills["next_threshold"], skills["attempts_needed"])]
    bulk_insert(conn, SkillProgress.__table__, records(skills, [c.key for c in SkillProgress.__table__.columns]))
    days = result.daily
    bulk_insert(conn, DailyActivity.__table__, records(days, [c.key for c in DailyActivity.__table__.columns],
                                                       dates=("day",)))

