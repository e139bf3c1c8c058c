"""The completion forecasts' calibration (analytics/calibration.py) in the store.

`recompute` writes each learner's replayed forecasts with their other derived rows
(`write_samples`) and then the quantiles over every learner (`refresh_calibration`), in
the same transaction; readers (`insights`, `status`, reports) take the stored quantiles
(`stored_calibrations`). A reader asked about an as_of before that recompute calibrates
from the samples of the sets finished by then, so a past date never sees later outcomes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from progress_cli.store import reads
from progress_cli.store.times import stored_time

_EPOCH = dt.date(1970, 1, 1)


def write_samples(conn: Connection, analysis) -> int:
    """Store the replayed forecasts of the analysis's learners; returns how many."""
    from progress_cli.analytics.calibration import completion_samples  # pandas: see _calibrate
    from progress_cli.store.derived import ForecastSample  # the table classes: a writer's, not the reads'
    from progress_cli.store.writes import bulk_insert

    samples = completion_samples(analysis)
    rows = [{"learner_id": learner, "scope": scope, "cut_date": _date(cut), "completed_date": _date(done),
             "estimate_days": int(estimate), "actual_days": int(actual)}
            for learner, scope, done, cut, estimate, actual in samples.itertuples(index=False)]
    return bulk_insert(conn, ForecastSample.__table__, rows)


def refresh_calibration(conn: Connection, as_of: dt.datetime, tz: ZoneInfo) -> None:
    """Rewrite the stored quantiles from every learner's samples, as known at `as_of`."""
    from progress_cli.store import forecasts  # the table classes: a writer's, not the reads'

    found = _calibrate(forecasts.forecast_samples(conn), as_of.astimezone(tz).date())
    computed = stored_time(as_of)
    forecasts.replace_calibration(conn, [{**c.as_row(), "computed_as_of": computed} for c in found.values()])


def current_calibrations(conn: Connection, as_of: dt.datetime) -> dict | None:
    """The stored calibrations when none was computed after `as_of` (no pandas), else None."""
    from progress_cli.analytics.calibration import Calibration  # numpy; pandas only in calibrate

    rows = reads.calibration_rows(conn)
    if all(r["computed_as_of"] <= stored_time(as_of) for r in rows):
        return {(r["scope"], r["horizon"]): Calibration.from_row(r) for r in rows}
    return None


def stored_calibrations(conn: Connection, as_of: dt.datetime, tz: ZoneInfo) -> dict:
    """The calibrations a forecast as of `as_of` may use (`analytics.calibration.Calibrations`):
    the stored ones, unless they were computed after `as_of`; then those of the samples of
    sets finished by as_of's local date (the slower path of a past `--as-of`)."""
    found = current_calibrations(conn, as_of)
    if found is not None:
        return found
    from progress_cli.store import forecasts  # the samples' table class: only for a past moment

    day = as_of.astimezone(tz).date()
    return _calibrate(forecasts.forecast_samples(conn, completed_until=day.isoformat()), day)


def _calibrate(rows, day: dt.date) -> dict:
    # pandas and numpy (~0.3 s) on use only: `leaderboard` imports this module (through
    # services.learner_data) and answers without them (DESIGN 9)
    import numpy as np
    import pandas as pd

    from progress_cli.analytics.calibration import SAMPLE_COLUMNS, calibrate

    frame = pd.DataFrame([tuple(r) for r in rows], columns=["learner_id", "scope", "cut_day", "completed_day",
                                                           "estimate_days", "actual_days"])
    for column in ("cut_day", "completed_day"):
        frame[column] = np.asarray(frame[column].to_numpy(dtype=str), dtype="datetime64[D]").astype(np.int64)
    return calibrate(frame[SAMPLE_COLUMNS], (day - _EPOCH).days)


def _date(day_number) -> str:
    return (_EPOCH + dt.timedelta(days=int(day_number))).isoformat()
