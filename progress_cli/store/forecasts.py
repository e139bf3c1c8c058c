"""Reads and writes of the forecast calibration tables (`derived.ForecastSample`,
`derived.ForecastCalibration`). Never commits inside."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select

from progress_cli.store.derived import ForecastCalibration, ForecastSample
from progress_cli.store.reads import calibration_rows  # noqa: F401  (its home is reads.py)
from progress_cli.store.writes import bulk_insert

SAMPLES = ForecastSample.__table__
CALIBRATION = ForecastCalibration.__table__


def forecast_samples(conn: Connection, *, completed_until: str | None = None) -> list[Any]:
    """Every learner's replayed forecasts (rows with learner_id, scope, cut_date,
    completed_date, estimate_days, actual_days); with `completed_until` (a local ISO date),
    only those of sets finished on or before it."""
    query = select(SAMPLES.c.learner_id, SAMPLES.c.scope, SAMPLES.c.cut_date, SAMPLES.c.completed_date,
                   SAMPLES.c.estimate_days, SAMPLES.c.actual_days)
    if completed_until is not None:
        query = query.where(SAMPLES.c.completed_date <= completed_until)
    return list(conn.execute(query))


def replace_calibration(conn: Connection, rows: list[dict[str, Any]]) -> None:
    conn.execute(delete(CALIBRATION))
    bulk_insert(conn, CALIBRATION, rows)
