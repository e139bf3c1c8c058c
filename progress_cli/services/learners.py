"""`progress learners`: one row per learner in the shape of DESIGN section 8."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import Connection

from progress_cli.analytics.dated import day_number, streak_on
from progress_cli.catalog import Catalog
from progress_cli.config import parse_as_of
from progress_cli.services.risk import NO_RISK, store_peers
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
        return _stored(conn, _day(dt.datetime.now(dt.timezone.utc), tz))
    progress, modules, risks = _computed(conn, catalog, tz, as_of)
    today = _day(as_of, tz)
    out = {}
    for r in queries.learner_rows(conn):
        lid = r["learner_id"]
        p = progress.get(lid)
        risk = risks.get(lid, NO_RISK)
        out[lid] = _row(lid, r["name"], p and p["total_progress"],
                        p and streak_on(p["last_active_day"], p["streak_days"], today),
                        p and p["last_activity"], r["events"], modules.get(lid),
                        (risk["risk"], risk["at_risk"], risk["module_id"], risk["reasons"]))
    return out, modules


_RECOMPUTED, _EVENTS, _MODULES = (derived_reads.LISTING.index(c) for c in ("recomputed", "events", "modules"))


def _stored(conn: Connection, today: int) -> tuple[dict[str, dict], dict[str, list]]:
    """learner_figures from the last recompute: one row per learner."""
    listing = derived_reads.learner_listing(conn)
    texts = [(row[0], row[_MODULES]) for row in listing if row[_RECOMPUTED]]
    if all(text is not None for _, text in texts):
        modules = {lid: orjson.loads(text) for lid, text in texts}
    else:
        modules = derived_reads.module_columns(conn)
    # the learners not recomputed since migration 11 (or never: the roster's without events) are counted now
    uncounted = [row[0] for row in listing if row[_EVENTS] is None]
    scanned = queries.learner_rows(conn, uncounted if len(uncounted) <= 500 else None) if uncounted else []
    counted = {r["learner_id"]: r for r in scanned}
    out = {}
    for lid, name, recomputed, total, streak, last_day, last, events, _, *risk in listing:
        if events is None:
            events = counted[lid]["events"]
        if not recomputed:
            last = counted[lid]["last"]
        reasons = risk[3]
        out[lid] = _row(lid, name, total, streak_on(last_day, streak, today) if recomputed else None, last, events,
                        modules.get(lid), (risk[0], bool(risk[1]), risk[2], [] if reasons is None else orjson.loads(reasons)))
    return out, modules


def _row(lid: str, name: str | None, total: float | None, streak: int | None, last: str | None,
         events: int | None, modules: list | None, risk: tuple) -> dict[str, Any]:
    """The row `learners --json` prints; `risk`: (risk, at_risk, risk module, reasons)."""
    ids, levels = (modules or ([], []))[:2]
    return {"learner_id": lid, "name": name, "total_progress": total, "streak_days": streak,
            "last_activity": iso_time(last), "readiness": dict(zip(ids, levels)), "events": events or 0,
            "risk": risk[0], "at_risk": risk[1], "risk_module": risk[2], "reasons": risk[3]}


def _day(moment: dt.datetime, tz: ZoneInfo) -> int:
    return day_number(moment.astimezone(tz).date())


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
