"""`progress report` and `progress chart`: store -> analytics -> report objects.

Reports for many learners are computed in batches: one query and two analyses per batch
(the analytics cost a few tens of milliseconds per call plus about a millisecond per
learner, so one call per learner would cost ~30x more).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from progress_cli.analytics import analyze, next_milestone
from progress_cli.analytics.achievements import current_overrides, evaluate
from progress_cli.catalog import Catalog
from progress_cli.config import parse_as_of
from progress_cli.reports.build import ReportInputs, build_reports
from progress_cli.reports.charts import chart_data
from progress_cli.reports.periods import Period, report_moment, resolve_period
from progress_cli.services.achievements import achievement_view, upcoming_milestones
from progress_cli.services.calibration import stored_calibrations
from progress_cli.services.frames import events_frame, records
from progress_cli.services.store_access import open_engine, require_learners, stored_catalog
from progress_cli.store import queries, read_snapshot
from progress_cli.store.achievements import stored_unlocks

BATCH = 1000  # learners per query and analysis
_TICK = dt.timedelta(microseconds=1)


@dataclass
class ReportRun:
    """The reports one `progress report` asks for; iterate to compute them batch by batch."""

    db: str
    tz: ZoneInfo
    period: Period
    moment: dt.datetime
    complete: bool
    learner_ids: list[str]
    batch: int = BATCH

    def __len__(self) -> int:
        return len(self.learner_ids)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        engine = open_engine(self.db)
        try:
            catalog = stored_catalog(engine)
            with read_snapshot(engine) as conn:  # one calibration for every batch
                calibrations = stored_calibrations(conn, self.moment, self.tz)
            for start in range(0, len(self.learner_ids), self.batch):
                yield from self._batch(engine, catalog, calibrations, self.learner_ids[start:start + self.batch])
        finally:
            engine.dispose()

    def _batch(self, engine: Engine, catalog: Catalog, calibrations: dict,
               learner_ids: list[str]) -> list[dict[str, Any]]:
        frame, names = _events(engine, learner_ids)
        now = analyze(frame, catalog, self.tz.key, self.moment)
        inputs = ReportInputs(
            now=now,
            before=analyze(frame, catalog, self.tz.key, self.period.start_moment(self.tz) - _TICK),
            period=self.period, moment=self.moment, complete=self.complete, tz=self.tz,
            catalog=catalog, names=names,
            awards=period_awards(engine, catalog, learner_ids, self.period, self.moment, self.tz, now),
            calibrations=calibrations,
        )
        return build_reports(inputs, learner_ids)


def plan_reports(db: str, *, tz: ZoneInfo, kind: str, value: str | None, as_of: str | None,
                 learner_id: str | None) -> ReportRun:
    """Resolve the period and the learners (one, or every learner of the store)."""
    moment = parse_as_of(as_of, tz)
    period = resolve_period(kind, value, tz, moment)
    at, complete = report_moment(period, tz, moment)
    engine = open_engine(db)
    try:
        if learner_id is not None:
            require_learners(engine, [learner_id])
            learner_ids = [learner_id]
        else:
            with read_snapshot(engine) as conn:
                learner_ids = queries.learner_ids(conn)
    finally:
        engine.dispose()
    return ReportRun(db=db, tz=tz, period=period, moment=at, complete=complete, learner_ids=learner_ids)


def period_awards(engine: Engine, catalog: Catalog, learner_ids: list[str], period: Period,
                  moment: dt.datetime, tz: ZoneInfo, now) -> dict[str, dict[str, list]]:
    """Achievements (DESIGN 6) for reports, for a batch of learners at once.

    {learner_id: {"achievements": [...], "milestones": [...]}}: the achievements earned in the
    period (stored unlocks up to `moment`, else computed as `status` does), `{"id", "name",
    "type", "points", "earned_at"}`, and the upcoming milestones at `moment` (those of
    `status`), `{"id", "name", "progress", "estimated_date"}`. `now` is the batch's analysis
    at `moment`.
    """
    if not catalog.achievements:
        return {}
    evaluated = evaluate(now.prepared, catalog.achievements, current_overrides(now))
    per_learner: dict[str, list] = {}
    for row in evaluated.itertuples():  # once for the batch: per-learner frames cost ~10 ms each
        per_learner.setdefault(row.learner_id, []).append(row)
    with read_snapshot(engine) as conn:
        unlocks: dict[str, list] = {}
        for u in stored_unlocks(conn, learner_ids):
            unlocks.setdefault(u["learner_id"], []).append(u)
    skills: dict[str, list] = {}
    for row in records(now.skills, ["learner_id", "skill", "current_level", "next_level", "next_threshold",
                                    "attempts_needed"]):
        skills.setdefault(row["learner_id"], []).append({
            "skill": row["skill"], "current_level": row["current_level"],
            "next_milestone": next_milestone(row["next_level"], row["next_threshold"], row["attempts_needed"])})
    start = period.start_moment(tz)
    out = {}
    for lid in learner_ids:
        view = achievement_view(catalog, unlocks.get(lid, []), per_learner.get(lid, []), moment)
        earned = [{k: a[k] for k in ("id", "name", "type", "points", "earned_at")} for a in view["earned"]
                  if start <= dt.datetime.fromisoformat(a["earned_at"]) <= moment]
        out[lid] = {"achievements": earned, "milestones": upcoming_milestones(view, skills.get(lid, []))}
    return out


def learner_charts(db: str, learner_id: str, *, tz: ZoneInfo, as_of: str | None = None) -> dict[str, Any]:
    """{"learner": {"id", "name"}, "as_of", "progress", "skills", "heatmap", "curve"} of one learner."""

    moment = parse_as_of(as_of, tz)
    engine = open_engine(db)
    try:
        require_learners(engine, [learner_id])
        catalog = stored_catalog(engine)
        frame, names = _events(engine, [learner_id])
    finally:
        engine.dispose()
    now = analyze(frame, catalog, tz.key, moment)
    charts = chart_data(now, moment.astimezone(tz).date(), [learner_id])[learner_id]
    return {"learner": {"id": learner_id, "name": names.get(learner_id)}, "as_of": moment.isoformat(), **charts}


def _events(engine: Engine, learner_ids: list[str]):

    with read_snapshot(engine) as conn:
        rows = queries.live_events(conn, learner_ids=learner_ids)
        names = queries.learner_names(conn, learner_ids)
    return events_frame(rows), names
