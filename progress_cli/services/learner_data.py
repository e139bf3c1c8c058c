"""One learner's stored data, read once for the per-learner commands (status, achievements, ...)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from progress_cli.catalog import Catalog
from progress_cli.config import parse_as_of
from progress_cli.services.store_access import open_engine, require_learners, stored_catalog
from progress_cli.store import queries, read_connection


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

    def analyze(self, as_of: dt.datetime | None = None):
        from progress_cli.analytics import analyze

        return analyze(self.events, self.catalog, self.tz.key, as_of or self.as_of)

    def skills_as_of(self, as_of: dt.datetime):
        """Only the skill_progress frame as of another time (a full analysis costs more)."""
        from progress_cli.analytics import prepare_events, skill_progress

        return skill_progress(prepare_events(self.events, self.catalog, self.tz.key, as_of))


def load_learner(db: str, learner_id: str, *, tz: ZoneInfo, as_of: str | None = None,
                 with_calibrations: bool = False) -> LearnerData:
    """Events, name, catalog and unlocks of one learner (and the forecast calibrations, when
    asked for); an unknown id suggests close ones."""
    from progress_cli.services.achievements import stored_unlocks
    from progress_cli.services.calibration import stored_calibrations
    from progress_cli.services.frames import events_frame

    moment = parse_as_of(as_of, tz)
    engine = open_engine(db)
    require_learners(engine, [learner_id])
    catalog = stored_catalog(engine)
    with read_connection(engine) as conn:
        rows = queries.live_events(conn, learner_ids=[learner_id])
        name = queries.learner_names(conn, [learner_id]).get(learner_id)
        unlocks = stored_unlocks(conn, [learner_id])
        calibrations = stored_calibrations(conn, moment, tz) if with_calibrations else None
    engine.dispose()
    return LearnerData(learner_id, name, catalog, events_frame(rows), unlocks, moment, tz, calibrations)


def evaluate_badges(data: LearnerData, analysis) -> dict[str, list]:
    """Earned and in-progress achievements of the learner as of `data.as_of`."""
    from progress_cli.analytics.achievements import current_overrides, evaluate
    from progress_cli.services.achievements import achievement_view

    evaluated = evaluate(analysis.prepared, data.catalog.achievements, current_overrides(analysis))
    return achievement_view(data.catalog, data.unlocks, evaluated, data.as_of)
