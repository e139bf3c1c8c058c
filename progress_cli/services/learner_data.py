"""One learner's stored data, read once for the per-learner commands (status, achievements, ...)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from progress_cli.catalog import Catalog
from progress_cli.config import parse_as_of
from progress_cli.services.store_access import open_engine, read_catalog, require_learners
from progress_cli.store import queries, read_snapshot
from progress_cli.store.achievements import stored_unlocks


@dataclass(frozen=True)
class LearnerData:
    learner_id: str
    name: str | None
    catalog: Catalog
    events: Any  # the analytics input frame (services.frames.events_frame)
    unlocks: list[dict[str, Any]]  # stored achievements_earned rows
    as_of: dt.datetime
    tz: ZoneInfo

    def analyze(self, as_of: dt.datetime | None = None):
        from progress_cli.analytics import analyze  # pandas: see load_learner

        return analyze(self.events, self.catalog, self.tz.key, as_of or self.as_of)

    def skills_as_of(self, as_of: dt.datetime):
        """Only the skill_progress frame as of another time (a full analysis costs more)."""
        from progress_cli.analytics import prepare_events, skill_progress  # pandas: see load_learner

        return skill_progress(prepare_events(self.events, self.catalog, self.tz.key, as_of))


def load_learner(db: str, learner_id: str, *, tz: ZoneInfo, as_of: str | None = None) -> LearnerData:
    """Events, name, catalog and unlocks of one learner; an unknown id suggests close ones."""
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
    engine.dispose()
    return LearnerData(learner_id, name, catalog, events_frame(rows), unlocks, moment, tz)

