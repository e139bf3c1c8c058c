"""One learner's stored data, read once for the per-learner commands (status, achievements, ...)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from progress_cli.catalog import Catalog
from progress_cli.config import parse_as_of
from progress_cli.services.calibration import stored_calibrations
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
    events: Any  # the analytics input frame (services.frames.events_frame)
    unlocks: list[dict[str, Any]]  # stored achievements_earned rows
    as_of: dt.datetime
    tz: ZoneInfo
    calibrations: dict | None = None  # the completion forecasts' (services.calibration), when asked for
    peers: dict | None = None  # {module_id: analytics.risk.ModulePeers} when asked for (status's risk)

    def analyze(self, as_of: dt.datetime | None = None):
        from progress_cli.analytics import analyze  # pandas: see load_learner

        return analyze(self.events, self.catalog, self.tz.key, as_of or self.as_of)

    def skills_as_of(self, as_of: dt.datetime):
        """Only the skill_progress frame as of another time (a full analysis costs more)."""
        from progress_cli.analytics import prepare_events, skill_progress  # pandas: see load_learner

        return skill_progress(prepare_events(self.events, self.catalog, self.tz.key, as_of))


def load_learner(db: str, learner_id: str, *, tz: ZoneInfo, as_of: str | None = None,
                 with_calibrations: bool = False, with_peers: bool = False) -> LearnerData:
    """Events, name, catalog and unlocks of one learner (and, when asked for, the forecast
    calibrations and the peers of the modules they touched, for the risk); an unknown id
    suggests close ones."""
    # pandas (~0.3 s) only here: `leaderboard` imports this module (through services.achievements)
    # and answers without it (DESIGN 9)
    from progress_cli.services.frames import events_frame

    moment = parse_as_of(as_of, tz)
    engine = open_engine(db)
    require_learners(engine, [learner_id])
    with read_snapshot(engine) as conn:  # catalog, events and unlocks of one moment
        catalog = read_catalog(conn)
        rows = queries.live_events(conn, learner_ids=[learner_id])
        name = queries.learner_names(conn, [learner_id]).get(learner_id)
        unlocks = stored_unlocks(conn, [learner_id])
        calibrations = stored_calibrations(conn, moment, tz) if with_calibrations else None
        modules = sorted({row[_MODULE] for row in rows})
        # without --as-of, the peers of the last recompute: no scan of every learner's events
        peers = read_peers(conn, moment, tz, stored=as_of is None, modules=modules) if with_peers else None
    engine.dispose()
    return LearnerData(learner_id, name, catalog, events_frame(rows), unlocks, moment, tz, calibrations, peers)

