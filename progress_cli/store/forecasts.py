"""Reads and writes of the forecast calibration tables (`derived.ForecastSample`,
`derived.ForecastCalibration`). Never commits inside."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select

from progress_cli.store.derived import FORECAST_CALIBRATION as CALIBRATION, FORECAST_SAMPLES as SAMPLES
from progress_cli.store.writes import bulk_insert



def forecast_samples(conn: Connection, *, completed_until: str | None = None,
                     learner_ids: list[str] | None = None) -> list[Any]:
    """Every learner's replayed forecasts (rows with learner_id, scope, cut_date,
    completed_date, estimate_days, actual_days); with `completed_until` (a local ISO date),
    only those of sets finished on or before it; with `learner_ids`, only theirs."""
    query = select(SAMPLES.c.learner_id, SAMPLES.c.scope, SAMPLES.c.cut_date, SAMPLES.c.completed_date,
                   SAMPLES.c.estimate_days, SAMPLES.c.actual_days)
    if completed_until is not None:
        query = query.where(SAMPLES.c.completed_date <= completed_until)
    if learner_ids is not None:
        query = query.where(SAMPLES.c.learner_id.in_(learner_ids))
    return list(conn.execute(query))


def calibration_rows(conn: Connection) -> list[dict[str, Any]]:
    """The stored calibration: one dict per (scope, horizon)."""
    return [dict(r._mapping) for r in conn.execute(select(CALIBRATION))]


def replace_calibration(conn: Connection, rows: list[dict[str, Any]]) -> None:
    conn.execute(delete(CALIBRATION))
    bulk_insert(conn, CALIBRATION, rows)
