"""`progress report --team`: one report over a team (DESIGN 7), store -> analytics -> report object.

The team's learners are analysed in batches (two analyses per batch, as for learner
reports), so memory follows the batch and not the team; the risk compares each learner with
every learner of the store (their peers) as of the same moment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from progress_cli.analytics import analyze
from progress_cli.analytics.risk_inputs import module_risks
from progress_cli.catalog import Catalog
from progress_cli.certs.eligibility import Figures, check
from progress_cli.certs.figures import figures_by_learner
from progress_cli.certs.register import team_certificates
from progress_cli.config import parse_as_of
from progress_cli.errors import NothingToDo
from progress_cli.reports.build import ReportInputs
from progress_cli.reports.periods import Period, report_moment, resolve_period
from progress_cli.reports.team import assemble, learner_rows
from progress_cli.reports.team_modules import ModuleTally
from progress_cli.services.frames import events_frame
from progress_cli.services.reports import BATCH
from progress_cli.services.risk import store_peers
from progress_cli.services.store_access import open_engine, read_catalog
from progress_cli.store import queries, read_snapshot
from progress_cli.store.certs import all_certificates

_TICK = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class TeamPeriod:
    """The period a team report covers, and the moment it is computed at."""

    period: Period
    moment: dt.datetime
    complete: bool


def team_period(*, tz: ZoneInfo, kind: str, value: str | None, as_of: str | None) -> TeamPeriod:
    asked = parse_as_of(as_of, tz)
    period = resolve_period(kind, value, tz, asked)
    moment, complete = report_moment(period, tz, asked)
    return TeamPeriod(period, moment, complete)


def team_report(db: str, *, tz: ZoneInfo, kind: str, value: str | None, as_of: str | None,
                team: str | None, batch: int = BATCH) -> dict[str, Any]:
    """The team report object (DESIGN 8) of a roster team, or of every learner (team None)."""
    when = team_period(tz=tz, kind=kind, value=value, as_of=as_of)
    engine = open_engine(db)
    try:
        # one snapshot for the whole team: members, peers, certificates and every batch's
        # events agree even while an import commits
        with read_snapshot(engine) as conn:
            return report_in(conn, when, team, team_members(conn, team), tz=tz, batch=batch)
    finally:
        engine.dispose()


def report_in(conn: Connection, when: TeamPeriod, team: str | None, learner_ids: list[str], *, tz: ZoneInfo,
              batch: int = BATCH) -> dict[str, Any]:
    """The team report over `learner_ids`, read inside the caller's snapshot."""
    period, moment, complete = when.period, when.moment, when.complete
    names = queries.learner_names(conn, learner_ids)
    peers = store_peers(conn, moment, tz)
    certificates = [c for c in all_certificates(conn) if c["learner_id"] in names]
    catalog = read_catalog(conn)
    tally = ModuleTally(len(learner_ids))
    rows: list[dict] = []
    eligible: dict[str, bool] = {}
    for start in range(0, len(learner_ids), batch):
        chunk = learner_ids[start:start + batch]
        rows += _batch(conn, catalog, chunk, names, peers, tally, eligible, period=period, moment=moment,
                       complete=complete, tz=tz)
    certification = _certification(catalog, certificates, eligible, names, rows, period.start_moment(tz), moment)
    return assemble(team=team, period=period, moment=moment, complete=complete, catalog=catalog,
                    learners=rows, tally=tally, certification=certification)


def team_members(conn: Connection, team: str | None) -> list[str]:
    """The learners of a roster team (None: every learner) by id; NothingToDo when none."""
    learner_ids = queries.team_learner_ids(conn, team)
    if not learner_ids:
        raise NothingToDo("no learners in the store: import some events first" if team is None
                          else f"no learners in team {team!r}")
    return learner_ids


def _batch(conn: Connection, catalog: Catalog, learner_ids: list[str], names: dict, peers: dict, tally: ModuleTally,
           eligible: dict[str, bool], *, period, moment: dt.datetime, complete: bool, tz: ZoneInfo) -> list[dict]:
    frame = events_frame(queries.live_events(conn, learner_ids=learner_ids))
    now = analyze(frame, catalog, tz.key, moment, light=True)
    before = analyze(frame, catalog, tz.key, period.start_moment(tz) - _TICK, light=True)
    eligible.update(_eligible(now, catalog, learner_ids))
    inputs = ReportInputs(now=now, before=before, period=period, moment=moment, complete=complete, tz=tz,
                          catalog=catalog, names=names)
    return learner_rows(inputs, module_risks(now, peers), learner_ids, tally)


def _eligible(analysis, catalog: Catalog, learner_ids: list[str]) -> dict[str, bool]:
    """learner -> eligible for the catalog's certification at the analysis' moment."""
    if catalog.certification is None:
        return {lid: False for lid in learner_ids}
    figures = figures_by_learner(analysis, catalog.certification)
    return {lid: check(catalog, figures.get(lid, Figures())).eligible for lid in learner_ids}


def _certification(catalog: Catalog, certificates: list[dict], eligible: dict[str, bool], names: dict,
                   rows: list[dict], start: dt.datetime, moment: dt.datetime) -> dict[str, Any]:
    """Each row's `certificate`, and the pipeline of DESIGN 7."""
    name = catalog.certification.name if catalog.certification else None
    per_learner, pipeline = team_certificates(certificates, name, eligible, names, start, moment)
    for row in rows:
        row["certificate"] = per_learner.get(row["learner_id"])
    return pipeline
