"""One learner's stored data, read once for the per-learner commands (status, achievements, ...)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from progress_cli.catalog import Catalog
from progress_cli.config import parse_as_of
from progress_cli.services.calibration import current_calibrations, stored_calibrations
from progress_cli.services.learner_rows import Rows, analysed_rows, current_stored_rows
from progress_cli.services.risk import read_peers
from progress_cli.services.store_access import open_engine, read_catalog, require_learners
from progress_cli.store import queries, read_snapshot
from progress_cli.store.achievements import stored_unlocks

_MODULE = queries.EVENT_FRAME_COLUMNS.index("module_id")


@dataclass(frozen=True)
class LearnerData:
    learner_id: str
    name: str | None
    catalog: Catalog
    rows: list[tuple]  # the learner's live events (store.queries.EVENT_FRAME_COLUMNS)
    unlocks: list[dict[str, Any]]  # stored achievements_earned rows
    as_of: dt.datetime
    tz: ZoneInfo
    calibrations: dict | None = None  # the completion forecasts' (services.calibration), when asked for
    peers: dict | None = None  # {module_id: analytics.risk.ModulePeers} when asked for (status's risk)
    stored: dict | None = None  # the derived rows of the last recompute, when they answer for as_of (DESIGN 9)

    @cached_property
    def events(self):
        """The events up to as_of, in plain Python (analytics.learner_events: numpy, no pandas)."""
        # on use: `leaderboard` imports this module (through services.achievements) and needs no numpy
        from progress_cli.analytics.learner_events import LearnerEvents

        return LearnerEvents(self.rows, self.catalog, self.tz).until(self.as_of)

    def analyze(self, as_of: dt.datetime | None = None):
        # pandas (~0.3 s) only here: the reads that answer from `stored` never call it (DESIGN 9)
        from progress_cli.analytics import analyze
        from progress_cli.services.frames import events_frame

        return analyze(events_frame(self.rows), self.catalog, self.tz.key, as_of or self.as_of)


def learner_rows(data: LearnerData) -> Rows:
    """The learner's derived rows: the stored ones when they answer for as_of, else the full
    computation's (pandas)."""
    return data.stored or analysed_rows(data.analyze(), data.catalog, data.as_of, data.learner_id)


def load_learner(db: str, learner_id: str, *, tz: ZoneInfo, as_of: str | None = None,
                 with_calibrations: bool = False, with_peers: bool = False, from_store: bool = False) -> LearnerData:
    """Events, name, catalog and unlocks of one learner (and, when asked for, the forecast
    calibrations and the peers of the modules they touched, for the risk); an unknown id
    suggests close ones. `from_store`: also the derived rows of the last recompute when they
    answer for as_of (`learner_rows.current_stored_rows`), which spares the full computation."""
    moment = parse_as_of(as_of, tz)
    engine = open_engine(db)
    require_learners(engine, [learner_id])
    with read_snapshot(engine) as conn:  # catalog, events and unlocks of one moment
        catalog = read_catalog(conn)
        rows = queries.live_events(conn, learner_ids=[learner_id])
        name = queries.learner_names(conn, [learner_id]).get(learner_id)
        unlocks = stored_unlocks(conn, [learner_id])
        stored = current_stored_rows(conn, learner_id, catalog, tz, moment, rows) if from_store else None
        calibrations = None
        if with_calibrations:
            calibrations = current_calibrations(conn, moment)
            if calibrations is None:  # recalibrating for a past moment takes pandas: the full path
                stored, calibrations = None, stored_calibrations(conn, moment, tz)
        modules = sorted({row[_MODULE] for row in rows})
        if stored is not None:  # the risk weighs only the modules not completed: no peers for the others
            unfinished = {m["module_id"] for m in stored["modules"] if (m["completion_rate"] or 0) < 100}
            modules = [m for m in modules if m in unfinished]
        # without --as-of, the peers of the last recompute: no scan of every learner's events
        peers = read_peers(conn, moment, tz, stored=as_of is None, modules=modules) if with_peers else None
    engine.dispose()
    return LearnerData(learner_id, name, catalog, rows, unlocks, moment, tz, calibrations, peers, stored)
