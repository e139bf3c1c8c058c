"""`progress learners`: one row per learner in the shape of DESIGN section 8."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from progress_cli.analytics.dated import day_number, streak_on
from progress_cli.catalog import Catalog
from progress_cli.config import parse_as_of
from progress_cli.services.risk import NO_RISK, store_peers, stored_learner_risks
from progress_cli.services.store_access import open_engine, read_catalog
from progress_cli.store import derived_reads, queries, read_snapshot
from progress_cli.store.models import iso_time


def list_learners(db: str, *, tz: ZoneInfo, as_of: str | None = None) -> list[dict[str, Any]]:
    """[{learner_id, name, total_progress, streak_days, last_activity, readiness, events, risk,
    at_risk, risk_module, reasons}] by id."""
    engine = open_engine(db)
    try:
        with read_snapshot(engine) as conn:
            rows, _ = learner_figures(conn, read_catalog(conn), tz, parse_as_of(as_of, tz) if as_of else None)
    finally:
        engine.dispose()
    return list(rows.values())


def learner_figures(conn: Connection, catalog: Catalog, tz: ZoneInfo,
                    as_of: dt.datetime | None) -> tuple[dict[str, dict], dict[str, list]]:
    """({learner_id: the row `learners --json` prints}, {learner_id: [module ids, readiness
    levels, completion rates, attempts]}), by id: name, total_progress, streak_days,
    last_activity, readiness per module, events, and the risk of DESIGN 5.7 (risk, at_risk,
    risk_module, reasons).

    Without `as_of`, from the last recompute (a streak whose last active day is before
    yesterday reads 0; the events counted then); with it, computed from the events.
    """
    if as_of is None:
        progress, modules, risks = _stored(conn)
        names = queries.all_learner_names(conn)
        # the learners not recomputed since migration 11 (or never: the roster's without events) are counted now
        uncounted = [lid for lid in names if progress.get(lid, {}).get("events") is None]
        scanned = queries.learner_rows(conn, uncounted if len(uncounted) <= 500 else None) if uncounted else []
        counted = {r["learner_id"]: r for r in scanned}
        base = [counted.get(lid) or {"learner_id": lid, "name": name, "events": progress[lid]["events"], "last": None}
                for lid, name in names.items()]
    else:
        base = queries.learner_rows(conn)
        progress, modules, risks = _computed(conn, catalog, tz, as_of)
    today = (as_of or dt.datetime.now(dt.timezone.utc)).astimezone(tz).date()
    out = {}
    for r in base:
        lid = r["learner_id"]
        p = progress.get(lid, {})
        ids, levels = (modules.get(lid) or ([], []))[:2]
        risk = risks.get(lid, NO_RISK)
        last = p["last_activity"] if p else (None if as_of else r["last"])
        out[lid] = {
            "learner_id": lid,
            "name": r["name"],
            "total_progress": p.get("total_progress"),
            "streak_days": _current_streak(p, today),
            "last_activity": iso_time(last),
            "readiness": dict(zip(ids, levels)),
            "events": r["events"] or 0,
            "risk": risk["risk"],
            "at_risk": risk["at_risk"],
            "risk_module": risk["module_id"],
            "reasons": risk["reasons"],
        }
    return out, modules


def _current_streak(progress: dict, today: dt.date) -> int | None:
    if "streak_days" not in progress:
        return None  # never recomputed
    return streak_on(progress.get("last_active_day"), progress["streak_days"], day_number(today))


def _stored(conn) -> tuple[dict, dict, dict]:
    progress, modules = derived_reads.listing_rows(conn)
    return progress, modules, stored_learner_risks(conn)


def _computed(conn, catalog: Catalog, tz: ZoneInfo, moment: dt.datetime) -> tuple[dict, dict, dict]:
    # pandas (~0.3 s) only for a past --as-of: without it `learners` reads the stored tables (DESIGN 9)
    from progress_cli.analytics import analyze
    from progress_cli.analytics.risk import learner_risk
    from progress_cli.analytics.risk_inputs import module_risks
    from progress_cli.services.frames import events_frame, records
    from progress_cli.services.recompute import BATCH_LEARNERS

    peers = store_peers(conn, moment, tz)
    progress: dict[str, dict] = {}
    modules: dict[str, list] = {}  # learner_id -> [module ids, readiness levels, completion rates, attempts]
    risks: dict[str, dict] = {}
    ids = queries.learner_ids(conn)
    for start in range(0, len(ids), BATCH_LEARNERS):  # as recompute reads: memory follows the batch
        batch = ids[start:start + BATCH_LEARNERS]
        rows = queries.live_events(conn, between=(batch[0], batch[-1]))
        if not rows:
            continue
        result = analyze(events_frame(rows), catalog, tz.key, moment, light=True)
        overall = result.overall.copy()
        overall["last_active_day"] = result.streaks["last_active_day"].to_numpy()
        progress.update((r["learner_id"], r) for r in records(
            overall, ["learner_id", "total_progress", "streak_days", "last_active_day", "last_activity"],
            dates=("last_active_day",)))
        for r in records(result.modules, ["learner_id", "module_id", "readiness", "completion_rate", "attempts"]):
            for column, value in zip(modules.setdefault(r["learner_id"], [[], [], [], []]), list(r.values())[1:]):
                column.append(value)
        risks.update((lid, learner_risk(m)) for lid, m in module_risks(result, peers).items())
    return progress, modules, risks
