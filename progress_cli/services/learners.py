"""`progress learners`: one row per learner in the shape of DESIGN section 8."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from progress_cli.config import parse_as_of
from progress_cli.services.store_access import open_engine, stored_catalog
from progress_cli.store import queries, read_connection
from progress_cli.store.derived import LearnerProgress, ModuleProgress

LP, MP = LearnerProgress.__table__, ModuleProgress.__table__


def list_learners(db: str, *, tz: ZoneInfo, as_of: str | None = None) -> list[dict[str, Any]]:
    """[{learner_id, name, total_progress, streak_days, last_activity, readiness, events}] by id.

    Without `as_of`, figures come from the last recompute (a streak whose last active day is
    before yesterday reads 0); with it, they are computed from the events.
    """
    engine = open_engine(db)
    moment = parse_as_of(as_of, tz)
    with read_connection(engine) as conn:
        base = queries.learner_rows(conn)
        if as_of is None:
            progress, readiness = _stored(conn)
        else:
            progress, readiness = _computed(conn, stored_catalog(engine), tz, moment)
    engine.dispose()
    today = moment.astimezone(tz).date()
    out = []
    for r in base:
        p = progress.get(r["learner_id"], {})
        out.append({
            "learner_id": r["learner_id"],
            "name": r["name"],
            "total_progress": p.get("total_progress"),
            "streak_days": _current_streak(p, today),
            "last_activity": _iso(p["last_activity"] if p else None if as_of else r["last"]),
            "readiness": readiness.get(r["learner_id"], {}),
            "events": r["events"] or 0,
        })
    return out


def _current_streak(progress: dict, today: dt.date) -> int | None:
    if "streak_days" not in progress:
        return None  # never recomputed
    last = progress.get("last_active_day")
    if last is None or (today - dt.date.fromisoformat(last)).days > 1:
        return 0
    return progress["streak_days"]


def _stored(conn) -> tuple[dict, dict]:
    progress = {r.learner_id: dict(r._mapping) for r in conn.execute(
        select(LP.c.learner_id, LP.c.total_progress, LP.c.streak_days, LP.c.last_active_day, LP.c.last_activity))}
    readiness: dict[str, dict[str, str]] = {}
    modules = queries.MODULES
    query = (select(MP.c.learner_id, MP.c.module_id, MP.c.readiness)
             .join(modules, modules.c.module_id == MP.c.module_id, isouter=True)
             .order_by(MP.c.learner_id, modules.c.position.is_(None), modules.c.position, MP.c.module_id))
    for r in conn.execute(query):
        readiness.setdefault(r.learner_id, {})[r.module_id] = r.readiness
    return progress, readiness


def _computed(conn, catalog, tz: ZoneInfo, moment: dt.datetime) -> tuple[dict, dict]:
    from progress_cli.analytics import analyze
    from progress_cli.services.frames import events_frame, records

    result = analyze(events_frame(queries.live_events(conn)), catalog, tz.key, moment)
    overall = result.overall.copy()
    overall["last_active_day"] = result.streaks["last_active_day"].to_numpy()
    progress = {r["learner_id"]: r for r in records(
        overall, ["learner_id", "total_progress", "streak_days", "last_active_day", "last_activity"],
        dates=("last_active_day",))}
    readiness: dict[str, dict[str, str]] = {}
    for r in records(result.modules, ["learner_id", "module_id", "readiness"]):
        readiness.setdefault(r["learner_id"], {})[r["module_id"]] = r["readiness"]
    return progress, readiness


def _iso(text: str | None) -> str | None:
    """Stored UTC text -> ISO 8601 with +00:00, as every --json date is written."""
    return None if text is None else text[:-1] + "+00:00"
