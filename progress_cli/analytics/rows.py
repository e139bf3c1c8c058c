"""Frames to plain Python rows (None for null), grouped by learner: what reports and
recommendations read. Pure and small."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import numpy as np
import pandas as pd


def column(series: pd.Series) -> list:
    """A column as JSON-ready values: None for NaN / NaT / None, ISO text for datetimes."""
    array = series.to_numpy()
    kind = array.dtype.kind
    if kind == "f":
        out = array.astype(object)
        out[np.isnan(array)] = None
        return out.tolist()
    if kind in "iub":
        return array.tolist()
    if kind == "M" or isinstance(series.dtype, pd.DatetimeTZDtype):
        stamps = pd.DatetimeIndex(series)
        return [None if pd.isna(v) else v.isoformat() for v in stamps]
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in array.tolist()]


def rows(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict]:
    columns = list(columns)
    lists = [column(frame[c]) for c in columns]
    return [dict(zip(columns, values)) for values in zip(*lists)]


def by_learner(items: list[dict], key: str = "learner_id") -> dict[str, list[dict]]:
    """Rows grouped by learner, each row without the learner key, order kept."""
    out: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        row = dict(item)
        out[row.pop(key)].append(row)
    return out


def one_per_learner(items: list[dict], key: str = "learner_id") -> dict[str, dict]:
    return {item[key]: item for item in items}


def daily_by_learner(days: pd.DataFrame, columns: Iterable[str]) -> dict[str, list[dict]]:
    """Each learner's rows of a `daily` frame (`day` and `columns`), the day as an ISO date
    (the frame's day is a datetime): the rows `analytics.dated` reads."""
    if days.empty:
        return {}
    grouped = by_learner(rows(days, ["learner_id", "day", *columns]))
    return {learner: [{**r, "day": r["day"][:10]} for r in found] for learner, found in grouped.items()}
