"""The completion forecasts' calibration (analytics/calibration.py) in the store.

`recompute` writes each learner's replayed forecasts with their other derived rows
(`sample_rows`) and then the quantiles over every learner (`refresh_calibration`), in
the same transaction; readers (`insights`, `status`, reports) take the stored quantiles
(`stored_calibrations`). A reader asked about an as_of before that recompute calibrates
from the samples of the sets finished by then, so a past date never sees later outcomes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from progress_cli.store import forecasts
from progress_cli.store.models import STORED_TIME, stored_time

_EPOCH = dt.date(1970, 1, 1)


def sample_rows(analysis) -> list[tuple]:
    """`forecast_samples` rows (tuples in the table's column order) of the analysis's learners:
    their replayed forecasts."""
    from progress_cli.analytics.calibration import completion_samples  # pandas: see _calibrate

    samples = completion_samples(analysis)
    return [(learner, scope, _date(cut), _date(done), int(estimate), int(actual))
            for learner, scope, done, cut, estimate, actual in samples.itertuples(index=False)]


def refresh_calibration(conn: Connection, as_of: dt.datetime, tz: ZoneInfo) -> None:
    """Rewrite the stored quantiles from every learner's samples, as known at `as_of`."""
    found = _calibrate(forecasts.forecast_samples(conn), as_of.astimezone(tz).date())
    computed = stored_time(as_of)
    forecasts.replace_calibration(conn, [{**c.as_row(), "computed_as_of": computed} for c in found.values()])


def current_calibrations(conn: Connection, as_of: dt.datetime) -> dict | None:
    """The stored calibrations when none was computed after `as_of` (no pandas), else None."""
    from progress_cli.analytics.calibration import Calibration  # numpy; pandas only in calibrate

    rows = forecasts.calibration_rows(conn)
    if all(r["computed_as_of"] <= stored_time(as_of) for r in rows):
        return {(r["scope"], r["horizon"]): Calibration.from_row(r) for r in rows}
    return None


def learner_samples(conn: Connection, learner_ids: list[str]) -> set[tuple]:
    """The stored replayed forecasts of these learners, to tell whether a recompute changed them."""
    return {tuple(r) for r in forecasts.forecast_samples(conn, learner_ids=learner_ids)}


def calibrated_today(conn: Connection, as_of: dt.datetime, tz: ZoneInfo) -> bool:
    """Whether the stored quantiles were computed on as_of's local day. The quantiles depend
    on the samples and on the day alone (`calibrate`), so while no sample changes, a refresh
    on the same day would write the same rows: an import's recompute of a few learners can
    skip it (about 0.2 s on a store of 10,000 learners)."""
    rows = forecasts.calibration_rows(conn)
    if not rows:
        return False
    day = as_of.astimezone(tz).date()
    return all(_local_day(r["computed_as_of"], tz) == day for r in rows)


def stored_calibrations(conn: Connection, as_of: dt.datetime, tz: ZoneInfo) -> dict:
    """The calibrations a forecast as of `as_of` may use (`analytics.calibration.Calibrations`):
    the stored ones, unless they were computed after `as_of`; then those of the samples of
    sets finished by as_of's local date (the slower path of a past `--as-of`)."""
    found = current_calibrations(conn, as_of)
    if found is not None:
        return found
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


def _local_day(stored: str, tz: ZoneInfo) -> dt.date:
    return dt.datetime.strptime(stored, STORED_TIME).replace(tzinfo=dt.timezone.utc).astimezone(tz).date()


def _date(day_number) -> str:
    return (_EPOCH + dt.timedelta(days=int(day_number))).isoformat()
