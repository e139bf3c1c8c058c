"""Every session of the learners of an analysis, oldest first (for exports)."""

from __future__ import annotations

import pandas as pd

from progress_cli.analytics import Analysis
from progress_cli.reports._rows import by_learner, rows


def session_list(analysis: Analysis) -> dict[str, list[dict]]:
    """{learner: [{"session_id", "module_id", "start", "end", "practice_s", "events",
    "attempts", "average_score"}]}; start and end are UTC ISO times."""
    ev = analysis.prepared.events
    if ev.empty:
        return {}
    grouped = ev.groupby(["learner_id", "session_key"], sort=False)
    frame = pd.DataFrame({
        "module_id": grouped["module_id"].first(),
        "start": grouped["ts"].min(),
        "end": grouped["ts"].max(),
        "practice_s": grouped["practice_s"].sum(),
        "events": grouped.size(),
        "attempts": grouped["is_attempt"].sum(),
        "average_score": grouped["score"].mean(),
    }).reset_index().rename(columns={"session_key": "session_id"})
    frame = frame.sort_values(["learner_id", "start", "session_id"], kind="stable")
    return by_learner(rows(frame, ["learner_id", "session_id", "module_id", "start", "end", "practice_s",
                                   "events", "attempts", "average_score"]))
