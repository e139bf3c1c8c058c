"""Conversions between store rows and analytics frames (pandas imported by the caller's command)."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd

from progress_cli.analytics.rows import column
from progress_cli.json_output import to_json
from progress_cli.store.queries import EVENT_FRAME_COLUMNS

_TEXT_COLUMNS = ("event_id", "learner_id", "session_id", "module_id", "task_id", "skill", "type")
_NUMBER_COLUMNS = ("score", "duration_s", "difficulty")


def events_frame(rows: list[tuple]) -> pd.DataFrame:
    """Store rows (EVENT_FRAME_COLUMNS) -> the analytics input frame (`ts` as UTC datetimes)."""
    # from_records turns rows into columns in C, twice as fast as zip(*rows) (a recompute's
    # batches hold a million events in all)
    raw = pd.DataFrame.from_records(rows, columns=list(EVENT_FRAME_COLUMNS), coerce_float=False, nrows=len(rows))
    return pd.DataFrame({
        **{c: raw[c].to_numpy(dtype=object) for c in _TEXT_COLUMNS},
        # "ISO8601" reads the stored text (models.STORED_TIME) as its format would, 10x faster (a C fast path)
        "ts": pd.to_datetime(pd.Series(raw["timestamp"].to_numpy(dtype=object), dtype=object), format="ISO8601",
                             utc=True),
        **{c: np.asarray(raw[c].to_numpy(dtype=object), dtype=float) for c in _NUMBER_COLUMNS},
    })


def values(series: pd.Series, *, as_date: bool = False, as_json: bool = False) -> list:
    """A column as plain Python values (analytics.rows.column), but times as the store writes
    them: UTC text for timestamps, ISO for dates (`as_date`), JSON text for lists (`as_json`)."""
    if as_date:
        if series.dtype.kind == "M":  # naive datetimes: numpy writes the dates in C
            return _texts(series.to_numpy(), "D")
        return [None if pd.isna(v) else pd.Timestamp(v).date().isoformat() for v in series]
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        # models.STORED_TIME: ISO to the microsecond, then Z (numpy writes it 5x faster than strftime)
        return _texts(series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(), "us", "Z")
    if as_json:
        return [None if v is None else to_json(list(v), indent=None) for v in series]
    return column(series)


def _texts(moments: np.ndarray, unit: str, suffix: str = "") -> list:
    """ISO text of naive datetime64 values to `unit`, plus `suffix`; None for NaT."""
    text = np.datetime_as_string(moments, unit=unit).astype(object)
    if suffix:
        text = np.array([t + suffix for t in text], dtype=object)
    text[np.isnat(moments)] = None
    return text.tolist()


def plain(value: Any) -> Any:
    """A NumPy scalar or NaN -> a JSON-ready Python value (None for null)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records(frame: pd.DataFrame, columns: Iterable[str], *, dates=(), json_columns=()) -> list[dict]:
    """Rows of `frame` as dicts of plain values (see `values`)."""
    columns = list(columns)
    return [dict(zip(columns, row)) for row in row_tuples(frame, columns, dates=dates, json_columns=json_columns)]


def row_tuples(frame: pd.DataFrame, columns: Iterable[str], *, dates=(), json_columns=()) -> list[tuple]:
    """Rows of `frame` as tuples of plain values (see `values`), in the order of `columns`."""
    return list(zip(*(values(frame[c], as_date=c in dates, as_json=c in json_columns) for c in columns)))
