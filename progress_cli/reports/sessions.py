"""Every session of the learners of an analysis, oldest first (for exports)."""

from __future__ import annotations

from progress_cli.analytics import Analysis
from progress_cli.analytics.rows import by_learner, rows


def session_list(analysis: Analysis) -> dict[str, list[dict]]:
    """{learner: [{"session_id", "module_id", "start", "end", "practice_s", "events",
    "attempts", "average_score"}]}; start and end are UTC ISO times."""
    frame = analysis.sessions
    if frame.empty:
        return {}
    return by_learner(rows(frame, ["learner_id", "session_id", "module_id", "start", "end", "practice_s",
                                   "events", "attempts", "average_score"]))
