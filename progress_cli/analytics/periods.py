"""Local day numbers (days since 1970-01-01 in the zone) to ISO weeks and calendar months."""

from __future__ import annotations

import numpy as np

# 1970-01-01 was a Thursday: shifting by 3 puts Monday 1969-12-29 at the start of week 0.
_MONDAY_SHIFT = 3


def week_of(day_num: np.ndarray) -> np.ndarray:
    """ISO week index (Monday first) of each local day; consecutive weeks differ by 1."""
    return (np.asarray(day_num, dtype=np.int64) + _MONDAY_SHIFT) // 7


def week_start(week: np.ndarray) -> np.ndarray:
    """Local day number of the Monday of each week index."""
    return np.asarray(week, dtype=np.int64) * 7 - _MONDAY_SHIFT


def month_of(day_num: np.ndarray) -> np.ndarray:
    """Calendar month index (months since 1970-01) of each local day."""
    days = np.asarray(day_num, dtype=np.int64).astype("datetime64[D]")
    return days.astype("datetime64[M]").astype(np.int64)


def month_start(month: np.ndarray) -> np.ndarray:
    """Local day number of the first day of each month index."""
    months = np.asarray(month, dtype=np.int64).astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64)


def as_dates(day_num: np.ndarray) -> np.ndarray:
    """Day numbers as naive midnight datetimes (the local date, no zone)."""
    return np.asarray(day_num, dtype=np.int64).astype("datetime64[D]").astype("datetime64[s]")


def week_labels(week: np.ndarray) -> np.ndarray:
    """'YYYY-Www' ISO labels: the ISO year is the year of the week's Thursday."""
    uniq, inverse = np.unique(np.asarray(week, dtype=np.int64), return_inverse=True)
    thursday = (week_start(uniq) + 3).astype("datetime64[D]")
    year = thursday.astype("datetime64[Y]")
    number = (thursday - year.astype("datetime64[D]")).astype(np.int64) // 7 + 1
    # One label per distinct week (a few hundred at most), then spread to the rows.
    labels = np.array([f"{y + 1970:04d}-W{n:02d}" for y, n in zip(year.astype(np.int64), number)],
                      dtype=object)
    return labels[inverse.reshape(-1)]


def month_labels(month: np.ndarray) -> np.ndarray:
    """'YYYY-MM' labels."""
    months = np.asarray(month, dtype=np.int64).astype("datetime64[M]")
    return np.datetime_as_string(months, unit="M").astype(object)
