"""`progress learners`: one row per learner in the shape of DESIGN section 8."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from progress_cli.config import parse_as_of
from progress_cli.services.store_access import open_engine
from progress_cli.store import queries, read_connection


def list_learners(db: str, *, tz: ZoneInfo, as_of: str | None = None) -> list[dict[str, Any]]:
    """[{learner_id, name, total_progress, streak_days, last_activity, readiness}] by learner_id."""
    parse_as_of(as_of, tz)  # validated now; derived figures come from the engine (recompute)
    engine = open_engine(db)
    with read_connection(engine) as conn:
        rows = queries.learner_rows(conn)
    engine.dispose()
    return [
        {
            "learner_id": r["learner_id"],
            "name": r["name"],
            "total_progress": None,
            "streak_days": None,
            "last_activity": _iso(r["last"]),
            "readiness": {},
            "events": r["events"] or 0,
        }
        for r in rows
    ]


def _iso(text: str | None) -> str | None:
    """Stored UTC text -> ISO 8601 with +00:00, as every --json date is written."""
    return None if text is None else text[:-1] + "+00:00"
